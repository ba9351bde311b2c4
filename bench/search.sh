#!/usr/bin/env bash
# Search and aggregation benchmark: sawlog vs ripgrep over the raw text vs ClickHouse, warm
# cache, in one run.
#
#   bench/search.sh [--corpus DIR] [--work DIR] [--runs N]
#
# Uses what bench/ingest.sh left in --work (sawlog's data directory and ClickHouse's) and the
# corpus. Each query runs once to warm up, then --runs times; the median is reported.
# sawlog: wall time seen by curl (HTTP included). rg: wall time of `rg -F -c` over corpus.log.
# ClickHouse: server-side time printed by clickhouse-client --time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
corpus=/var/tmp/sawlog-corpus
work=/var/tmp/sawlog-bench
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) corpus=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--corpus DIR] [--work DIR] [--runs N]" >&2; exit 2 ;;
  esac
done
[ -d "$work/sawlog" ] || { echo "run bench/ingest.sh first (no $work/sawlog)" >&2; exit 2; }
command -v rg >/dev/null || { echo "needs ripgrep: apt-get install ripgrep" >&2; exit 2; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
calc() { /usr/bin/python3 -c "print($1)"; }
urlq() { /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$root/build/sawlog" server --data "$work/sawlog" --listen "127.0.0.1:$port" 2> "$work/search-sawlog.log" &
pid=$!
ch="$shared/tools/clickhouse-peer/clickhouse-peer.sh"
have_ch=0
if [ -x /usr/sbin/clickhouse-server ] && [ -d "$work/ch" ]; then "$ch" start "$work/ch" >/dev/null && have_ch=1; fi
trap 'kill $pid 2>/dev/null || true; [ $have_ch = 1 ] && "$ch" stop "$work/ch" || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
# Background merges may start with the server: measure once it is idle (at most 2 minutes).
cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14+$15)/t}' "/proc/$pid/stat"; }
for _ in $(seq 1 120); do
  a=$(cpu); sleep 1; b=$(cpu)
  [ "$(calc "int($b-$a < 0.05)")" = 1 ] && break
done

sawlog_time() {  # query limit
  local q; q=$(urlq "$1")
  curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/query?q=$q&limit=$2"
  for _ in $(seq 1 "$runs"); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/v1/query?q=$q&limit=$2"; done | median
}
sawlog_count() { curl -s "http://127.0.0.1:$port/api/v1/query?q=$(urlq "$1")&limit=$2" | wc -l; }
rg_time() {
  rg -F -c "$1" "$corpus/corpus.log" >/dev/null || true
  for _ in $(seq 1 "$runs"); do
    s=$(date +%s.%N); rg -F -c "$1" "$corpus/corpus.log" >/dev/null || true; e=$(date +%s.%N); calc "round($e-$s,4)"
  done | median
}
ch_time() {
  "$ch" query "$work/ch" "$1" >/dev/null 2>&1 || true
  for _ in $(seq 1 "$runs"); do "$ch" query "$work/ch" "$1" 2>&1 >/dev/null | tail -1; done | median
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $runs runs each, median, warm cache"
printf '%-44s %10s %10s %12s %10s %10s\n' query sawlog rg ClickHouse rg/sawlog CH/sawlog
row() {  # label sawlog-query limit rg-needle ch-sql
  local s r c
  s=$(sawlog_time "$2" "$3")
  r=$( [ -n "$4" ] && rg_time "$4" || echo "")
  c=$( [ $have_ch = 1 ] && [ -n "$5" ] && ch_time "$5" || echo "")
  printf '%-44s %9.4fs %9ss %11ss %10s %10s\n' "$1" "$s" "${r:-–}" "${c:-–}" \
    "$( [ -n "$r" ] && echo "x$(calc "round($r/$s,1)")" || echo –)" "$( [ -n "$c" ] && echo "x$(calc "round($c/$s,1)")" || echo –)"
}
row "needle NEEDLE7f3a9c (17 lines), all of them" NEEDLE7f3a9c 100 NEEDLE7f3a9c \
    "SELECT count() FROM pb.logs WHERE msg LIKE '%NEEDLE7f3a9c%'"
row "newest 100 lines with tokbeta42" tokbeta42 100 "" \
    "SELECT time, msg FROM pb.logs WHERE msg LIKE '%tokbeta42%' ORDER BY time DESC, nsec DESC LIMIT 100"
row "phrase \"Received block\", newest 100" '"Received block"' 100 "Received block" \
    "SELECT time, msg FROM pb.logs WHERE msg LIKE '%Received block%' ORDER BY time DESC LIMIT 100"
echo "needle lines found by sawlog: $(sawlog_count NEEDLE7f3a9c 100) (17 planted)"

# Aggregations (the query issue): the same answer from sawlog's pipes and ClickHouse's GROUP BY.
# (ClickHouse stores 0 where an event has no status or bytes; sawlog has no such field there.)
printf '\n%-44s %10s %12s %10s\n' aggregation sawlog ClickHouse CH/sawlog
agg() {  # label sawlog-query ch-sql
  local s c
  s=$(sawlog_time "$2" 1000)
  c=$( [ $have_ch = 1 ] && ch_time "$3" || echo "")
  printf '%-44s %9.4fs %11ss %10s\n' "$1" "$s" "${c:-–}" "$( [ -n "$c" ] && echo "x$(calc "round($c/$s,2)")" || echo –)"
}
agg "stats count() by (status)" '* | stats by (status) count()' \
    "SELECT status, count() FROM pb.logs GROUP BY status"
agg "stats count() by (_time:1m)" '* | stats by (_time:1m) count()' \
    "SELECT toStartOfMinute(time) AS m, count() FROM pb.logs GROUP BY m ORDER BY m"
agg "top 10 paths" '* | top 10 by (path)' \
    "SELECT path, count() AS c FROM pb.logs GROUP BY path ORDER BY c DESC LIMIT 10"
agg "p99 of bytes" '* | stats quantile(0.99, bytes)' \
    "SELECT quantileExact(0.99)(bytes) FROM pb.logs"
agg "word tokbeta42: count" 'tokbeta42 | stats count()' \
    "SELECT count() FROM pb.logs WHERE msg LIKE '%tokbeta42%'"
agg "phrase \"Received block\": count by service" '"Received block" | stats by (service) count()' \
    "SELECT service, count() FROM pb.logs WHERE msg LIKE '%Received block%' GROUP BY service"
