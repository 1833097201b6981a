#!/usr/bin/env bash
# Case 6: `datafactory run` end to end over N pages served on loopback, for several N, to see
# pages/s, CPU use and whether peak memory stays flat as the input grows (it must: shards
# stream). Pages are the corpus pages behind distinct URLs (symlinks, so 20,000 cost no disk).
# Usage: [DATAFACTORY_BIN=path] bench/e2e.sh [N ...]      (default: 2000 20000; the binary
# defaults to a fresh release build, another one can be compared side by side)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(2000 20000)
PORT=${PORT:-18765}
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
BIN=${DATAFACTORY_BIN:-target/release/datafactory}
[ -n "${DATAFACTORY_BIN:-}" ] || cargo build -q --release
mkdir -p "$WORK/site/src"
for f in examples/corpus/pages/*.html.gz; do
    gunzip -c "$f" >"$WORK/site/src/$(basename "$f" .gz)"
done
MAX=$(printf '%s\n' "${SIZES[@]}" | sort -n | tail -n1)
mapfile -t SRC < <(ls "$WORK/site/src")
for ((i = 0; i < MAX; i++)); do
    ln -s "src/${SRC[$((i % ${#SRC[@]}))]}" "$WORK/site/p$i.html"
done
# nginx (Debian's nginx-light, installed when missing and we may) serves the pages with little
# CPU, so the run shows what datafactory does with the cores; Python's http.server is the
# fallback, and it takes a good share of a 2-core machine itself.
if ! command -v nginx >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || true
fi
if command -v nginx >/dev/null; then
    # Started as root, nginx's worker runs as an unprivileged user: it must be able to read.
    chmod 755 "$WORK"
    mkdir -p "$WORK/nginx"
    cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx;
    fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
    types { text/html html; }
    server { listen 127.0.0.1:$PORT; root $WORK/site; disable_symlinks off; }
}
CONF
    nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >/dev/null 2>&1 &
    SERVER=$!
    SERVED_BY="nginx (1 worker)"
else
    (cd "$WORK/site" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
    SERVER=$!
    SERVED_BY="python3 -m http.server"
fi
sleep 1
curl -sf "http://127.0.0.1:$PORT/p0.html" >/dev/null || { echo "the loopback site on port $PORT does not serve our pages (port taken?)" >&2; exit 1; }
printf '[spider]\nper_host_rps = 100000.0\nconcurrency = 32\n' >"$WORK/job.toml"
echo "Pages served by $SERVED_BY on 127.0.0.1:$PORT."
echo
# Peak RSS is one sample, the worst moment of the run, and a longer run has more moments to
# be unlucky in; RSS is also sampled every 0.2 s, and its median over each half of the run
# says whether the memory in use settles (streaming) or keeps climbing (buffering).
# "CPU %" is datafactory's own; "machine %" is all cores' busy time over the run (the page
# server's share included, and anything else running: compare on a quiet machine).
echo "| pages | fetched | wall s | pages/s | CPU % | machine % | median per second: CPU %, machine % | peak RSS MB | median RSS MB, 1st half | median RSS MB, 2nd half |"
echo "|---|---|---|---|---|---|---|---|---|---|"
# Busy and total jiffies of all cores so far.
jiffies() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
# From samples of "machine-busy machine-total datafactory-ticks" every 0.2 s: the median over
# one-second windows of datafactory's CPU % and the machine's busy %. The whole-run figures
# above include the single-threaded start (reading and sharding the list) and end (the
# export); these say whether the cores stay busy while pages stream through.
steady() {
    local windows
    windows=$(awk -v n="$(nproc)" '
        NR % 5 == 1 { if (NR > 1 && $2 > t) print 100 * n * ($3 - p) / ($2 - t), 100 * n * ($1 - b) / ($2 - t); b = $1; t = $2; p = $3 }')
    [ -n "$windows" ] || { echo "-"; return; }
    echo "$(cut -d' ' -f1 <<<"$windows" | median)%, $(cut -d' ' -f2 <<<"$windows" | median)% ($(wc -l <<<"$windows") s)"
}
# The median of the figures on stdin, divided by $1 (default 1), rounded.
median() { sort -n | awk -v d="${1:-1}" '{ v[NR] = $1 } END { if (NR) printf "%.0f", v[int((NR + 1) / 2)] / d; else print "-" }'; }
for n in "${SIZES[@]}"; do
    seq 0 $((n - 1)) | sed "s|^|http://127.0.0.1:$PORT/p|; s|$|.html|" >"$WORK/urls-$n.txt"
    rm -rf "$WORK/data"
    read -r busy0 total0 < <(jiffies)
    /usr/bin/time -v "$BIN" run "$WORK/urls-$n.txt" --data-dir "$WORK/data" \
        --config "$WORK/job.toml" --allow-private-network >"$WORK/summary.txt" 2>"$WORK/time.txt" &
    timer=$!
    : >"$WORK/rss.txt"
    : >"$WORK/cpu.txt"
    pid=""
    while kill -0 "$timer" 2>/dev/null; do
        [ -n "$pid" ] || pid=$(pgrep -P "$timer" | head -n1 || true)
        if [ -n "$pid" ]; then
            awk '/^VmRSS/ {print $2}' "/proc/$pid/status" >>"$WORK/rss.txt" 2>/dev/null || true
            # The machine's busy and total jiffies, then datafactory's (utime + stime).
            ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)
            [ -z "$ticks" ] || echo "$(jiffies) $ticks" >>"$WORK/cpu.txt"
        fi
        sleep 0.2
    done
    wait "$timer"
    read -r busy1 total1 < <(jiffies)
    machine=$(awk "BEGIN {printf \"%.0f%%\", 100 * $(nproc) * ($busy1 - $busy0) / ($total1 - $total0)}")
    samples=$(wc -l <"$WORK/rss.txt")
    first=$(head -n $((samples / 2)) "$WORK/rss.txt" | median 1024)
    second=$(tail -n +$((samples / 2 + 1)) "$WORK/rss.txt" | median 1024)
    fetched=$(awk '/pages:/ {print $2}' "$WORK/summary.txt")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$WORK/time.txt")
    steady=$(steady <"$WORK/cpu.txt")
    rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$WORK/time.txt")
    echo "| $n | $fetched | $wall | $(awk "BEGIN {printf \"%.0f\", $n/$wall}") | $cpu | $machine | $steady | $rss | $first | $second |"
done
