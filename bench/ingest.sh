#!/usr/bin/env bash
# Ingest benchmark: sawlog vs ClickHouse (and zstd for size), on the same corpus, in one run.
#
#   bench/ingest.sh [--corpus DIR] [--work DIR] [--no-clickhouse]
#
# The corpus is ../shared/tools/gen-corpus.py's output (built into --corpus if missing, ~3 GB,
# a few minutes). Measures, for sawlog: wall time of `sawlog import` of corpus.ndjson into a fresh
# server (acknowledged = fsynced), events/s, MB/s, MB/s per core of server CPU time, and, once its
# merges are done, the data directory's size against the raw text. For ClickHouse (Debian's 18.16 via
# ../shared/tools/clickhouse-peer): the same NDJSON inserted into a MergeTree table, its time and
# its size on disk. For zstd -3: size and speed of the raw text. Prints the ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
corpus=/var/tmp/sawlog-corpus
work=/var/tmp/sawlog-bench
clickhouse=1
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) corpus=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-clickhouse) clickhouse=0; shift ;;
    *) echo "usage: $0 [--corpus DIR] [--work DIR] [--no-clickhouse]" >&2; exit 2 ;;
  esac
done
sawlog=$root/build/sawlog
[ -x "$sawlog" ] || { echo "build first: make" >&2; exit 2; }
if [ ! -f "$corpus/corpus.ndjson" ]; then
  echo "building the corpus in $corpus (a few minutes)"
  /usr/bin/python3 "$shared/tools/gen-corpus.py" --out "$corpus"
fi
raw_bytes=$(stat -c %s "$corpus/corpus.log")
ndjson_bytes=$(stat -c %s "$corpus/corpus.ndjson")
events=$(wc -l < "$corpus/corpus.ndjson")
rm -rf "$work"; mkdir -p "$work"
now() { date +%s.%N; }
cpu_seconds() { awk -v t="$(getconf CLK_TCK)" '{print ($14+$15)/t}' "/proc/$1/stat"; }
calc() { /usr/bin/python3 -c "print($1)"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "corpus: $events events, raw text $(calc "round($raw_bytes/1e6)") MB, NDJSON $(calc "round($ndjson_bytes/1e6)") MB"
cat "$corpus/corpus.ndjson" > /dev/null  # warm the page cache for every contender alike

# --- sawlog
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$sawlog" server --data "$work/sawlog" --listen "127.0.0.1:$port" 2> "$work/sawlog.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
cpu0=$(cpu_seconds $pid); t0=$(now)
"$sawlog" import --server "http://127.0.0.1:$port" --concurrency 4 --stream-fields service,host "$corpus/corpus.ndjson"
t1=$(now); cpu1=$(cpu_seconds $pid)
rss_kb=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
# As ClickHouse's OPTIMIZE FINAL below: the size on disk once the merges are done, the last of
# them the settled partition's (StoreOptions::settle_ns, 30 s after its last new part).
# Idle for 40 s on end: any part added before then has had its settle merge start and end.
settle0=$(now); idle=0
while [ $idle -lt 8 ] && [ "$(calc "int($(now)-$settle0 < 900)")" = 1 ]; do
  c=$(cpu_seconds $pid); sleep 5
  if [ "$(calc "int($(cpu_seconds $pid)-$c < 0.1)")" = 1 ]; then idle=$((idle+1)); else idle=0; fi
done
settle_secs=$(calc "round($(now)-$settle0-40)"); settle_cpu=$(calc "round($(cpu_seconds $pid)-$cpu1,1)")
kill -TERM $pid; wait $pid || true; trap - EXIT
s_secs=$(calc "$t1-$t0"); s_cpu=$(calc "$cpu1-$cpu0")
s_disk=$(du -sb "$work/sawlog" | cut -f1)
found=$("$sawlog" server --data "$work/sawlog" --listen "127.0.0.1:$port" 2>/dev/null & p=$!; \
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done; \
  curl -s "http://127.0.0.1:$port/api/v1/query?q=NEEDLE7f3a9c&limit=100" | wc -l; kill $p)
echo
echo "sawlog:     $(calc "round($s_secs,1)") s, $(calc "round($events/$s_secs)") events/s, $(calc "round($ndjson_bytes/1e6/$s_secs,1)") MB/s NDJSON," \
     "$(calc "round($ndjson_bytes/1e6/$s_cpu,1)") MB/s per core (server CPU $(calc "round($s_cpu,1)") s), peak RSS $((rss_kb/1024)) MiB"
echo "            merges done ${settle_secs} s later (server CPU ${settle_cpu} s more)"
echo "            on disk $(calc "round($s_disk/1e6)") MB: raw text / disk = x$(calc "round($raw_bytes/$s_disk,2)"); needle found in $found lines (17 planted)"

# --- zstd -3 of the raw text
t0=$(now); z=$(zstd -3 -q -c -T1 "$corpus/corpus.log" | wc -c); t1=$(now)
echo "zstd -3:    x$(calc "round($raw_bytes/$z,2)") smaller, $(calc "round($raw_bytes/1e6/($t1-$t0))") MB/s (one core)"

# --- ClickHouse
if [ $clickhouse = 1 ] && [ -x /usr/sbin/clickhouse-server ]; then
  ch="$shared/tools/clickhouse-peer/clickhouse-peer.sh"
  "$ch" start "$work/ch" >/dev/null
  t0=$(now); "$ch" load "$work/ch" "$corpus/corpus.ndjson"; t1=$(now)
  c_secs=$(calc "$t1-$t0")
  clickhouse-client --port "${CH_TCP:-19000}" --query "OPTIMIZE TABLE pb.logs FINAL" >/dev/null 2>&1 || true
  c_disk=$(du -sb "$work/ch/data/data/pb" 2>/dev/null | cut -f1 || echo 0)
  "$ch" stop "$work/ch"
  echo "ClickHouse: $(calc "round($c_secs,1)") s, $(calc "round($ndjson_bytes/1e6/$c_secs,1)") MB/s NDJSON, on disk $(calc "round($c_disk/1e6)") MB (raw / disk = x$(calc "round($raw_bytes/max($c_disk,1),2)"))"
  echo
  echo "ratios: sawlog ingest speed / ClickHouse = x$(calc "round($c_secs/$s_secs,2)"); ClickHouse disk / sawlog disk = x$(calc "round($c_disk/$s_disk,2)")"
else
  echo "ClickHouse: skipped (apt-get install clickhouse-server clickhouse-client, or --no-clickhouse was given)"
fi
