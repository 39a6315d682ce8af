#!/usr/bin/env bash
# tests/tls/make_certs.sh OUTDIR — a throwaway CA and a server certificate for localhost and 127.0.0.1
# (and a second, unrelated CA for the "wrong CA" tests, and a certificate from the same CA for another name
# for the hostname checks), made fresh at test time with Debian's openssl.
set -euo pipefail
out=${1:?usage: make_certs.sh OUTDIR}
mkdir -p "$out"
cd "$out"
quiet() { "$@" 2>/dev/null || { echo "make_certs.sh: failed: $*" >&2; "$@"; exit 1; }; }

for ca in ca other_ca; do
    quiet openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=wsecho test $ca" -keyout "$ca.key" -out "$ca.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
done
# server_certificate NAME CN SAN: NAME.pem and NAME.key, signed by ca.
server_certificate() {
    quiet openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
        -keyout "$1.key" -out "$1.csr"
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$3" > "$1.ext"
    quiet openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$1.ext" -out "$1.pem"
}
server_certificate server localhost DNS:localhost,IP:127.0.0.1
server_certificate other_name other.example DNS:other.example
echo "make_certs.sh: CA and server certificate in $out"
