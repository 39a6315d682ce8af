#!/usr/bin/env bash
# tests/tls/make_certs.sh OUTDIR — a throwaway CA and a server certificate for localhost and 127.0.0.1
# (and a second, unrelated CA for the "wrong CA" tests), made fresh at test time with Debian's openssl.
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
quiet openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout server.key -out server.csr
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > server.ext
quiet openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile server.ext -out server.pem
echo "make_certs.sh: CA and server certificate in $out"
