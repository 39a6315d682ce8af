#!/usr/bin/env bash
# scripts/demo.sh — builds the release preset if needed, then runs wsecho-server and wsecho-client talking
# to each other, both logs in this terminal, until Ctrl-C (or for SECONDS seconds).
# Usage: scripts/demo.sh [SECONDS]     env WSECHO_LISTEN=HOST:PORT (default 127.0.0.1:8080)
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-}
if [[ -n $duration && ! $duration =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS]   (SECONDS: a whole number > 0)" >&2
    exit 2
fi
listen=${WSECHO_LISTEN:-127.0.0.1:8080}
bin=build/release/app

scripts/build.sh release

tmp=$(mktemp -d)
server_pid="" tail_pid="" timer_pid=""
cleanup() {
    local status=$?
    if [[ -n $timer_pid ]]; then
        kill "$timer_pid" 2>/dev/null || true
        wait "$timer_pid" 2>/dev/null || true
    fi
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in {1..50}; do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    # tail --pid ends once the server has gone, after printing its last lines.
    [[ -z $tail_pid ]] || wait "$tail_pid" 2>/dev/null || true
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 141' PIPE  # a closed stdout (demo.sh | head) still stops the server

# Prefixes each line; ignores Ctrl-C so that the client's last lines (the close handshake) still show.
prefix() {
    trap '' INT
    exec sed -u "s/^/[$1] /"
}

# Its own session, so the terminal's Ctrl-C reaches only the client; this script stops the server.
: >"$tmp/server.log"
setsid "$bin/wsecho-server" --listen "$listen" >"$tmp/server.log" 2>&1 &
server_pid=$!

deadline=$((SECONDS + 10))
until grep -q 'listening on' "$tmp/server.log"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        wait "$server_pid" && status=0 || status=$?
        server_pid=""
        echo "demo.sh: wsecho-server exited with status $status before listening; its log:" >&2
        sed 's/^/[server] /' "$tmp/server.log" >&2
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "demo.sh: wsecho-server did not report 'listening on' within 10 s; its log:" >&2
        sed 's/^/[server] /' "$tmp/server.log" >&2
        exit 1
    fi
    sleep 0.1
done
tail -n +1 -s 0.1 --pid="$server_pid" -f "$tmp/server.log" | prefix server &
tail_pid=$!

# Dial what the server reports ("listening on http://HOST:PORT ..."), so port 0 works too; a wildcard
# address is dialled on loopback.
address=$(grep -o -m1 'listening on http://[^ ]*' "$tmp/server.log")
address=${address#listening on http://}
case $address in
    0.0.0.0:*) address=127.0.0.1:${address#0.0.0.0:} ;;
    "[::]:"*) address=[::1]:${address#\[::\]:} ;;
esac
url="ws://$address/socket"

if [[ -n $duration ]]; then
    echo "demo.sh: the client runs for $duration s (or until Ctrl-C)"
    # Sends the client the same SIGINT a Ctrl-C would; the TERM trap also ends the pending sleep.
    (
        sleep_pid=""
        trap '[[ -z $sleep_pid ]] || { kill "$sleep_pid"; wait "$sleep_pid"; } 2>/dev/null; exit 0' TERM
        sleep "$duration" &
        sleep_pid=$!
        wait "$sleep_pid"
        [[ ! -s $tmp/client.pid ]] || kill -INT "$(<"$tmp/client.pid")" 2>/dev/null || true
    ) &
    timer_pid=$!
else
    echo "demo.sh: press Ctrl-C to stop the client (close 1000), then the server"
fi

# Ctrl-C goes to the client (and to this script, which only carries on to stop the server).
trap : INT
client_status=0
(
    echo "$BASHPID" >"$tmp/client.pid"
    exec "$bin/wsecho-client" --url "$url"
) 2>&1 | prefix client || client_status=$?
echo "demo.sh: wsecho-client exited with status $client_status; stopping wsecho-server"
exit "$client_status"
