#!/usr/bin/python3
"""Throughput of `sawlog agent` shipping a log file to a `sawlog server` (file → agent → server,
every batch acknowledged after the server's WAL fsync).

    /usr/bin/python3 bench/agent.py [--lines N] [--pipeline none|logfmt|auto] [--compression zstd|gzip|none]

Writes the first --lines lines of the benchmark corpus (/var/tmp/sawlog-corpus/corpus.log) to a
file, starts a fresh server and an agent following that file from its start, and waits until the
server holds every line. Prints events/s (wall, from the agent's start to the last event stored),
the agent's CPU time per event (user+system from /proc) and the server's. No peer shipper runs
here: Fluent Bit, Vector, Filebeat and Promtail are not Debian 12 packages. As a reference from
the same run, `sawlog import` (no disk buffer, no checkpoints, two requests in flight) sends the
same file to another fresh server, and the ratios agent/import are printed (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import sawlog_e2e as e2e  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = "/var/tmp/sawlog-corpus/corpus.log"


def count(port: int) -> int:
    r = e2e.query_raw(port, "* | stats count() as n", timeout=60)
    lines = r.body.splitlines()
    return int(json.loads(lines[0])["n"]) if r.status == 200 and lines else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--pipeline", choices=["none", "logfmt", "auto"], default="none")
    ap.add_argument("--compression", choices=["zstd", "gzip", "none"], default="zstd")
    ap.add_argument("--sawlog", default=os.path.join(ROOT, "build", "sawlog"))
    args = ap.parse_args()
    if not os.path.exists(CORPUS):
        sys.exit(f"{CORPUS} is missing: /usr/bin/python3 /work/shared/tools/gen-corpus.py --help")
    work = tempfile.mkdtemp(prefix="sawlog-bench-agent-")
    try:
        log = os.path.join(work, "app.log")
        size = 0
        with open(CORPUS, "rb") as src, open(log, "wb") as dst:
            for i, line in enumerate(src):
                if i == args.lines:
                    break
                dst.write(line)
                size += len(line)
        port = e2e.free_port()
        pipeline = "" if args.pipeline == "none" else f"    pipeline:\n      - parse: {{format: {args.pipeline}}}\n"
        config = os.path.join(work, "agent.yaml")
        with open(config, "w") as f:
            f.write(f"server: http://127.0.0.1:{port}\ndata_dir: {work}/agent\ncompression: {args.compression}\n"
                    f"inputs:\n  - name: app\n    paths: [{log}]\n    labels: {{service: bench}}\n{pipeline}")
        with e2e.Server(args.sawlog, work, data_dir=f"{work}/data", port=port) as server:
            server.start()
            server_cpu0 = e2e.cpu_seconds(server.proc.pid)
            start = time.monotonic()
            agent = subprocess.Popen([args.sawlog, "agent", "--config", config], stdout=subprocess.DEVNULL,
                                     stderr=open(f"{work}/agent.log", "wb"))
            try:
                n = 0
                while n < args.lines:
                    time.sleep(0.25)
                    if agent.poll() is not None:
                        sys.exit(f"the agent exited: {open(f'{work}/agent.log').read()[-2000:]}")
                    n = count(port)
                wall = time.monotonic() - start
                agent_cpu = e2e.cpu_seconds(agent.pid)
                server_cpu = e2e.cpu_seconds(server.proc.pid) - server_cpu0
            finally:
                agent.terminate()
                agent.wait()
            server.stop()
        # The reference: `sawlog import` of the same file into a fresh server.
        with e2e.Server(args.sawlog, work, data_dir=f"{work}/data2") as server:
            server.start()
            start = time.monotonic()
            imp = subprocess.Popen([args.sawlog, "import", "--server", server.url, "--format", "text", log],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(imp.pid, 0)
            imp.returncode = os.waitstatus_to_exitcode(status)
            if imp.returncode != 0:
                sys.exit(f"sawlog import failed with {imp.returncode}")
            while count(server.port) < args.lines:
                time.sleep(0.25)
            import_wall = time.monotonic() - start
            import_cpu = usage.ru_utime + usage.ru_stime
            server.stop()
        load = os.getloadavg()[0]
        print(f"agent file->server: {args.lines} lines ({size / 1e6:.0f} MB), pipeline {args.pipeline}, "
              f"compression {args.compression}: {args.lines / wall:,.0f} events/s ({size / wall / 1e6:.1f} MB/s), "
              f"agent CPU {agent_cpu / args.lines * 1e6:.2f} us/event, server CPU {server_cpu / args.lines * 1e6:.2f} us/event "
              f"(load {load:.1f}; the wall time includes polling the count every 0.25 s)")
        print(f"reference sawlog import: {args.lines / import_wall:,.0f} events/s, CPU {import_cpu / args.lines * 1e6:.2f} us/event; "
              f"agent/import: throughput {import_wall / wall:.2f}x, CPU per event {agent_cpu / import_cpu:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
