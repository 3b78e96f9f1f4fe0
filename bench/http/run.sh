#!/bin/sh
# bench/http/run.sh [BUILD_DIR] — wrk against `anywhere up` serving the hello
# handler (a fresh instance per request) and nginx serving a static
# response, in the same run, same machine, same wrk settings. Prints
# requests/s, p50/p99 latency and the ratios, then the instantiation
# figure from `anywhere up --bench-instantiate`.
# Needs: wrk, nginx (Debian packages), examples/hello/hello.wasm (make app-examples).
# Knobs: DURATION (s, default 10), CONNS (default 64), THREADS (default 2).
set -eu
BUILD=${1:-build}
DURATION=${DURATION:-10}; CONNS=${CONNS:-64}; THREADS=${THREADS:-2}
AW=$BUILD/anywhere
for t in wrk nginx; do command -v $t >/dev/null || PATH=$PATH:/usr/sbin; command -v $t >/dev/null || { echo "bench/http: $t is needed (apt-get install wrk nginx)"; exit 1; }; done
[ -f examples/hello/hello.wasm ] || { echo "bench/http: make app-examples first"; exit 1; }
T=$(mktemp -d)
APORT=${APORT:-39701}; NPORT=${NPORT:-39702}
cleanup() { kill "$AW_PID" 2>/dev/null || true; [ -f "$T/nginx.pid" ] && kill "$(cat "$T/nginx.pid")" 2>/dev/null || true; rm -rf "$T"; }
trap cleanup EXIT
mkdir -p "$T/logs"
cat > "$T/nginx.conf" <<NGINX
worker_processes 2;
pid $T/nginx.pid;
error_log $T/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $T; proxy_temp_path $T; fastcgi_temp_path $T; uwsgi_temp_path $T; scgi_temp_path $T;
  server {
    listen 127.0.0.1:$NPORT reuseport;
    location / { default_type text/plain; return 200 "Hello from Anywhere!\n"; }
  }
}
NGINX
nginx -c "$T/nginx.conf" -p "$T"
"$AW" up -f examples/hello --listen 127.0.0.1:$APORT --access-log off --deadline 30 > "$T/up.out" 2>"$T/up.err" &
AW_PID=$!
sleep 0.5
curl -sf "http://127.0.0.1:$APORT/" >/dev/null && curl -sf "http://127.0.0.1:$NPORT/" >/dev/null

# wrk --latency prints "50%  1.23ms" lines; convert to ms.
ms() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }'; }
run() { # run NAME URL
    wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$2" > "$T/$1.txt"
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$T/$1.txt")
    p50=$(ms 50% < "$T/$1.txt"); p99=$(ms 99% < "$T/$1.txt")
    errs=$(grep -E "Non-2xx|Socket errors" "$T/$1.txt" || true)
    echo "$1: $rps requests/s, p50 ${p50} ms, p99 ${p99} ms ${errs:+($errs)}"
    eval "${1}_rps=$rps ${1}_p50=$p50 ${1}_p99=$p99"
}
echo "wrk -t$THREADS -c$CONNS -d${DURATION}s on $(nproc) CPUs"
run nginx "http://127.0.0.1:$NPORT/"
run anywhere "http://127.0.0.1:$APORT/"
awk -v a="$anywhere_rps" -v n="$nginx_rps" -v ap="$anywhere_p99" -v np="$nginx_p99" -v a5="$anywhere_p50" -v n5="$nginx_p50" \
    'BEGIN { printf "ratio: anywhere/nginx requests/s %.2f (bar >= 0.50), p50 %.2fx, p99 %.2fx (bar <= 2x)\n", a / n, a5 / n5, ap / np }'
"$AW" up -f examples/hello --bench-instantiate 20000 2>/dev/null
