#!/usr/bin/python3
"""Server CPU per query: sawlog vs ClickHouse on the benchmark corpus, in one run.

    /usr/bin/python3 bench/query_cpu.py [--work DIR] [--store DIR[=BINARY] ...] [--queries N] [--rounds R]

Wall times on a shared 2-core machine move by up to ×4 between runs (docs/benchmarks.md); the
CPU a server spends on a query moves much less. For each query this sends one to warm up, then
--queries more, and divides the server's user+system CPU (/proc/PID/stat) over them by their
number. ClickHouse (bench/ingest.sh's copy in --work/ch, Debian's clickhouse-server) is measured
the same way, its queries sent over its HTTP interface. Each sawlog --store (a data directory,
optionally with the binary to serve it, default build/sawlog; two stores let an old and a new
build alternate on their own copies, since a build may rewrite parts in its own format when it
merges) is served by a fresh server per round, after its background merges have gone quiet.
Each query's answer is printed from every system, so a faster wrong answer shows. Prints the CPU
per query and the ratio ClickHouse ÷ sawlog (above 1: sawlog spends less).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import sawlog_e2e as e2e  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEER = os.path.join(ROOT, "..", "shared", "tools", "clickhouse-peer", "clickhouse-peer.sh")

# (label, sawlog query, ClickHouse SQL): the aggregations of the query issue, as in bench/search.sh.
QUERIES = [
    ("by (status)", "* | stats by (status) count()", "SELECT status, count() FROM pb.logs GROUP BY status"),
    ("by (_time:1m)", "* | stats by (_time:1m) count()",
     "SELECT toStartOfMinute(time) AS m, count() FROM pb.logs GROUP BY m ORDER BY m"),
    ("top 10 paths", "* | top 10 by (path)",
     "SELECT path, count() AS c FROM pb.logs GROUP BY path ORDER BY c DESC LIMIT 10"),
    ("p99 of bytes", "* | stats quantile(0.99, bytes)", "SELECT quantileExact(0.99)(bytes) FROM pb.logs"),
    ("word tokbeta42 count", "tokbeta42 | stats count()",
     "SELECT count() FROM pb.logs WHERE msg LIKE '%tokbeta42%'"),
    ("phrase count by service", '"Received block" | stats by (service) count()',
     "SELECT service, count() FROM pb.logs WHERE msg LIKE '%Received block%' GROUP BY service"),
    # Words as a user types them, any case. ClickHouse 18.16 has no hasToken; two match() calls
    # ANDed count 0 there, so the two words are substrings (the same 840 rows on this corpus).
    ("two words count", "error timeout | stats count()",
     "SELECT count() FROM pb.logs WHERE positionCaseInsensitive(msg, 'error') > 0 "
     "AND positionCaseInsensitive(msg, 'timeout') > 0"),
    ("word NOT word count", "exception NOT java | stats count()",
     r"SELECT count() FROM pb.logs WHERE match(msg, '(?i)\\bexception\\b') AND NOT match(msg, '(?i)\\bjava\\b')"),
]


def wait_quiet(pid: int, limit_s: float = 180.0) -> None:
    """Until the process uses under 5% of a core for a second (merges started at open are done)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        a = e2e.cpu_seconds(pid)
        time.sleep(1.0)
        if e2e.cpu_seconds(pid) - a < 0.05:
            return
    print(f"warning: pid {pid} still busy after {limit_s:.0f} s; measuring anyway", file=sys.stderr)


def cpu_per_query(pid: int, send, n: int) -> tuple[float, str]:
    answer = send()
    before = e2e.cpu_seconds(pid)
    for _ in range(n):
        send()
    return (e2e.cpu_seconds(pid) - before) / n, answer


def short(body: bytes) -> str:
    text = b" ".join(body.split()).decode("utf-8", "replace")
    return text if len(text) <= 70 else text[:67] + "..."


def measure_sawlog(binary: str, data: str, n: int) -> dict[str, tuple[float, str]]:
    with tempfile.TemporaryDirectory(prefix="sawlog-qcpu-") as work, \
            e2e.Server(binary, work, data_dir=data) as server:
        server.start(timeout=120)
        wait_quiet(server.proc.pid)

        def send(q):
            r = e2e.query_raw(server.port, q, limit=1000, timeout=300)
            if r.status != 200:
                raise SystemExit(f"sawlog query {q!r}: HTTP {r.status}: {r.body[:300]!r}")
            return short(r.body)
        out = {label: cpu_per_query(server.proc.pid, lambda q=q: send(q), n) for label, q, _ in QUERIES}
        server.stop(timeout=120)
        return out


class ClickHouse:
    def __init__(self, data: str):
        self.data = data
        self.env = dict(os.environ, CH_HTTP=str(e2e.free_port()), CH_TCP=str(e2e.free_port()))

    def __enter__(self) -> "ClickHouse":
        subprocess.run([PEER, "start", self.data], env=self.env, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(self.data, "server.pid")) as f:
            self.pid = int(f.read().strip())
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run([PEER, "stop", self.data], env=self.env, check=False)

    def send(self, sql: str) -> str:
        url = f"http://127.0.0.1:{self.env['CH_HTTP']}/?" + urllib.parse.urlencode({"query": sql})
        with urllib.request.urlopen(url, timeout=300) as r:
            return short(r.read())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", default="/var/tmp/sawlog-bench", help="bench/ingest.sh's --work (default %(default)s)")
    ap.add_argument("--store", action="append", default=[],
                    help="DIR[=BINARY]: a sawlog data directory and the binary serving it (repeatable; "
                         "default WORK/sawlog=build/sawlog)")
    ap.add_argument("--queries", type=int, default=10, help="queries measured per system and query")
    ap.add_argument("--rounds", type=int, default=2, help="rounds, the systems alternating")
    args = ap.parse_args()

    stores = []
    for spec in args.store or [os.path.join(args.work, "sawlog")]:
        data, _, binary = spec.partition("=")
        stores.append((os.path.abspath(data), os.path.abspath(binary or os.path.join(ROOT, "build", "sawlog"))))
    for data, binary in stores:
        if not os.path.isdir(data) or not os.access(binary, os.X_OK):
            raise SystemExit(f"--store {data}={binary}: need an existing data directory and binary "
                             "(run bench/ingest.sh first)")
    ch_data = os.path.join(args.work, "ch")
    have_ch = os.access("/usr/sbin/clickhouse-server", os.X_OK) and os.path.isdir(ch_data)

    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"{args.queries} queries per figure, {args.rounds} rounds")
    cpu: dict[str, dict[str, list[float]]] = {}
    answers: dict[str, dict[str, str]] = {}
    for _ in range(args.rounds):
        for data, binary in stores:
            name = f"sawlog {os.path.basename(os.path.dirname(data))}/{os.path.basename(data)}"
            if os.path.basename(binary) != "sawlog":  # two binaries may serve one directory
                name = f"{os.path.basename(binary)} {name[len('sawlog '):]}"
            for label, (secs, ans) in measure_sawlog(binary, data, args.queries).items():
                cpu.setdefault(name, {}).setdefault(label, []).append(secs)
                answers.setdefault(name, {})[label] = ans
        if have_ch:
            with ClickHouse(ch_data) as ch:
                wait_quiet(ch.pid, 30)
                for label, _, sql in QUERIES:
                    secs, ans = cpu_per_query(ch.pid, lambda sql=sql: ch.send(sql), args.queries)
                    cpu.setdefault("ClickHouse", {}).setdefault(label, []).append(secs)
                    answers.setdefault("ClickHouse", {})[label] = ans

    def fig(xs: list[float]) -> str:
        return f"{min(xs):.4f}–{max(xs):.4f}" if len(xs) > 1 else f"{xs[0]:.4f}"

    systems = list(cpu)
    print(f"{'query':26}" + "".join(f"{s[:28]:>30}" for s in systems) + "   ClickHouse ÷ sawlog (CPU)")
    for label, _, _ in QUERIES:
        row = f"{label:26}" + "".join(f"{fig(cpu[s][label]) + ' s':>30}" for s in systems)
        if "ClickHouse" in cpu:
            ch = statistics.median(cpu["ClickHouse"][label])
            row += "   " + "  ".join(f"×{ch / max(statistics.median(cpu[s][label]), 1e-9):.2f}"
                                     for s in systems if s != "ClickHouse")
        print(row)
    print("\nanswers (the last round's):")
    for label, _, _ in QUERIES:
        for s in systems:
            print(f"  {label:26} {s[:28]:28} {answers[s][label]}")


if __name__ == "__main__":
    main()
