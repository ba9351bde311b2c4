#!/usr/bin/env bash
# Query CPU benchmark: server CPU time (utime+stime from /proc/PID/stat) per query, sawlog vs
# ClickHouse on the same corpus, in one run; optionally a second sawlog (another build on its own
# data directory) alternating with the first, to compare two versions under the same load.
#
#   bench/query_cpu.sh [--work DIR] [--runs N] [--base BINARY DATA_DIR]
#
# Uses what bench/ingest.sh left in --work (sawlog/ and ch/; ClickHouse's directory may be another
# work's, see --ch). Each query runs once to warm up, then --runs times; the server's CPU over those
# runs divided by --runs is reported. CPU rather than wall time: the machine is shared, and a
# server's CPU per query is what another tenant's load changes least.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$root/../shared" && pwd)
work=/var/tmp/sawlog-bench
chdir=
runs=10
base_bin= base_data=
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=$2; shift 2 ;;
    --ch) chdir=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --base) base_bin=$2; base_data=$3; shift 3 ;;
    *) echo "usage: $0 [--work DIR] [--ch CH_DIR] [--runs N] [--base BINARY DATA_DIR]" >&2; exit 2 ;;
  esac
done
chdir=${chdir:-$work/ch}
[ -d "$work/sawlog" ] || { echo "run bench/ingest.sh first (no $work/sawlog)" >&2; exit 2; }
calc() { /usr/bin/python3 -c "print($1)"; }
urlq() { /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14+$15)/t}' "/proc/$1/stat"; }
freeport() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pids=()
start_sawlog() {  # binary data -> "pid port"
  local port; port=$(freeport)
  "$1" server --data "$2" --listen "127.0.0.1:$port" 2>> "$work/query-cpu-sawlog.log" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  echo "$pid $port"
}
ch="$shared/tools/clickhouse-peer/clickhouse-peer.sh"
have_ch=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ $have_ch = 1 ]; then "$ch" stop "$chdir" || true; fi
}
trap cleanup EXIT
read -r a_pid a_port < <(start_sawlog "$root/build/sawlog" "$work/sawlog")
b_pid= b_port=
if [ -n "$base_bin" ]; then read -r b_pid b_port < <(start_sawlog "$base_bin" "$base_data"); fi
if [ -x /usr/sbin/clickhouse-server ] && [ -d "$chdir" ]; then "$ch" start "$chdir" >/dev/null && have_ch=1; fi
ch_pid=$([ $have_ch = 1 ] && cat "$chdir/server.pid" || echo)
# Background merges may run when a server starts: measure once every server is idle.
for p in $a_pid $b_pid; do
  for _ in $(seq 1 300); do
    x=$(cpu "$p"); sleep 1; y=$(cpu "$p")
    [ "$(calc "int($y-$x < 0.05)")" = 1 ] && break
  done
done

sawlog_cpu() {  # pid port query -> CPU seconds per query
  local q; q=$(urlq "$3")
  curl -sf -o /dev/null "http://127.0.0.1:$2/api/v1/query?q=$q&limit=1000"
  local c0; c0=$(cpu "$1")
  for _ in $(seq 1 "$runs"); do curl -sf -o /dev/null "http://127.0.0.1:$2/api/v1/query?q=$q&limit=1000"; done
  calc "round(($(cpu "$1")-$c0)/$runs,4)"
}
ch_cpu() {  # sql -> CPU seconds per query
  "$ch" query "$chdir" "$1" >/dev/null 2>&1
  local c0; c0=$(cpu "$ch_pid")
  for _ in $(seq 1 "$runs"); do "$ch" query "$chdir" "$1" >/dev/null 2>&1; done
  calc "round(($(cpu "$ch_pid")-$c0)/$runs,4)"
}
same() {  # the answers of both sawlog servers, compared
  local q; q=$(urlq "$1")
  [ "$(curl -sf "http://127.0.0.1:$a_port/api/v1/query?q=$q&limit=1000" | sort)" = \
    "$(curl -sf "http://127.0.0.1:$b_port/api/v1/query?q=$q&limit=1000" | sort)" ] && echo same || echo DIFFERENT
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each, server CPU per query"
echo "sawlog: $root/build/sawlog on $work/sawlog ($(du -sb "$work/sawlog" | cut -f1) bytes)"
[ -n "$base_bin" ] && echo "base:   $base_bin on $base_data ($(du -sb "$base_data" | cut -f1) bytes)"
printf '%-40s %9s %9s %11s %9s %9s %s\n' query sawlog base ClickHouse CH/sawlog CH/base answers
row() {  # label sawlog-query ch-sql
  local s b c
  s=$(sawlog_cpu "$a_pid" "$a_port" "$2")
  b=$([ -n "$b_pid" ] && sawlog_cpu "$b_pid" "$b_port" "$2" || echo)
  c=$([ $have_ch = 1 ] && ch_cpu "$3" || echo)
  r() { [ -n "$1" ] && [ -n "$2" ] && calc "'x' + str(round($1/max($2,0.0001),1))" || echo –; }
  printf '%-40s %8ss %8ss %10ss %9s %9s %s\n' "$1" "$s" "${b:-–}" "${c:-–}" "$(r "$c" "$s")" "$(r "$c" "$b")" \
    "$([ -n "$b_pid" ] && same "$2" || echo –)"
}
row "word tokbeta42: count" 'tokbeta42 | stats count()' \
    "SELECT count() FROM pb.logs WHERE msg LIKE '%tokbeta42%'"
row "phrase \"Received block\": count by service" '"Received block" | stats by (service) count()' \
    "SELECT service, count() FROM pb.logs WHERE msg LIKE '%Received block%' GROUP BY service"
row "stats count() by (status)" '* | stats by (status) count()' \
    "SELECT status, count() FROM pb.logs GROUP BY status"
row "stats count() by (_time:1m)" '* | stats by (_time:1m) count()' \
    "SELECT toStartOfMinute(time) AS m, count() FROM pb.logs GROUP BY m ORDER BY m"
row "top 10 paths" '* | top 10 by (path)' \
    "SELECT path, count() AS c FROM pb.logs GROUP BY path ORDER BY c DESC LIMIT 10"
row "p99 of bytes" '* | stats quantile(0.99, bytes)' \
    "SELECT quantileExact(0.99)(bytes) FROM pb.logs"
row "newest 100 lines with tokbeta42" 'tokbeta42 | limit 100' \
    "SELECT time, msg FROM pb.logs WHERE msg LIKE '%tokbeta42%' ORDER BY time DESC, nsec DESC LIMIT 100"
