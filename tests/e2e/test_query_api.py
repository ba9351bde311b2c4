"""Pipes and the endpoints built on them agree with a reference computed here, on real lines.

Ingests the 10,000 lines of the shared Apache access log as events (fields parsed by this test),
then checks, against Python's own counts of the same lines: `stats by (status) count()`,
`stats count(), sum(bytes), quantile(0.99, bytes)`, `top 5 by (path)` (ties by value),
`uniq by (method)`, `stats by (_time:1h) count()`, a `where` after stats, `sort | limit`,
/api/v1/hits (with and without a split field), /api/v1/fields, /api/v1/field_values, errors with
line and column for bad pipes, the 429 of --max-query-memory, and `sawlog query --format table`.
The same queries run again after a restart, when the events are in parts instead of the head.
"""

from __future__ import annotations

import collections
import datetime
import json
import math
import os
import re
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

LINE = re.compile(r'^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) (\d+|-)')


def load(data_root: str) -> list[dict]:
    events = []
    for line in e2e.read_lines(os.path.join(data_root, "access", "apache_combined_10k.log")):
        m = LINE.match(line)
        if not m:
            continue
        t = datetime.datetime.strptime(m.group(2), "%d/%b/%Y:%H:%M:%S %z")
        events.append({"_time": t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "_msg": line,
                       "client_ip": m.group(1), "method": m.group(3), "path": m.group(4), "status": m.group(5),
                       "bytes": "0" if m.group(6) == "-" else m.group(6)})
    return events


def get(port: int, path: str, **params) -> list[dict]:
    r = e2e.request(port, "GET", path + "?" + urllib.parse.urlencode(params))
    check(r.status == 200, f"{path} {params}: status {r.status}: {r.body[:300]!r}")
    return [json.loads(x) for x in r.body.splitlines() if x.strip()]


def check_all(port: int, events: list[dict], sawlog: str) -> None:
    q = lambda text, **kw: get(port, "/api/v1/query", q=text, limit=kw.pop("limit", 100000), **kw)  # noqa: E731
    by_status = collections.Counter(e["status"] for e in events)
    got = {r["status"]: int(r["count()"]) for r in q("* | stats by (status) count()")}
    check(got == dict(by_status), f"stats by (status): {got} != {dict(by_status)}")

    sizes = sorted(int(e["bytes"]) for e in events)
    p99 = sizes[max(1, math.ceil(0.99 * len(sizes))) - 1]
    row = q("* | stats count() as n, sum(bytes) as total, quantile(0.99, bytes) as p99")
    check(row == [{"n": str(len(events)), "total": str(sum(sizes)), "p99": str(p99)}], f"stats totals: {row}")

    paths = collections.Counter(e["path"] for e in events)
    want = sorted(paths.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    got = [(r["path"], int(r["hits"])) for r in q("* | top 5 by (path)")]
    check(got == want, f"top 5 by (path): {got} != {want}")

    got = [r["method"] for r in q("* | uniq by (method)")]
    check(got == sorted({e["method"] for e in events}), f"uniq by (method): {got}")

    hours = collections.Counter(e["_time"][:13] for e in events)
    got = {r["_time"][:13]: int(r["count()"]) for r in q("* | stats by (_time:1h) count()")}
    check(got == dict(hours), "stats by (_time:1h) differs from the hourly counts")
    got = {r["_time"][:13]: int(r["hits"]) for r in get(port, "/api/v1/hits", q="*", step="1h")}
    check(got == dict(hours), "/api/v1/hits step=1h differs from the hourly counts")
    split = get(port, "/api/v1/hits", q="status:404", step="1d", field="method")
    check(sum(int(r["hits"]) for r in split) == by_status["404"] and all("method" in r for r in split),
          f"/api/v1/hits split by method: {split[:3]}")

    big = {s for s, n in by_status.items() if n > 100}
    got = {r["status"] for r in q("* | stats by (status) count() as n | where NOT n:0 | sort by (n desc) | limit 3")}
    check(got <= big and len(got) == min(3, len(big)), f"where/sort/limit after stats: {got}")

    names = {r["name"]: int(r["hits"]) for r in get(port, "/api/v1/fields", q="status:200")}
    for f in ("_msg", "_stream", "method", "path", "status", "bytes", "client_ip"):
        check(names.get(f) == by_status["200"], f"/api/v1/fields: {f} has {names.get(f)}, want {by_status['200']}")
    top = get(port, "/api/v1/field_values", q="*", field="status", limit="2")
    want = sorted(by_status.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    check([(r["status"], int(r["hits"])) for r in top] == want, f"/api/v1/field_values: {top}")

    # Row-local pipes keep newest-first events.
    rows = q("status:404 | fields _time, path | limit 3")
    newest = sorted((e for e in events if e["status"] == "404"), key=lambda e: e["_time"], reverse=True)[:3]
    check([r["_time"][:19] for r in rows] == [e["_time"][:19] for e in newest] and all(set(r) == {"_time", "path"} for r in rows),
          f"fields/limit: {rows}")

    for text, where in (("* | stats by (status count()", "line 1, column 22: expected ')' after 'by (status'"),
                        ("*\n| sort (x)", "line 2, column 8: expected 'by' after 'sort'"),
                        ("* | nosuchpipe", "line 1, column 5: unknown pipe 'nosuchpipe'")):
        r = e2e.query_raw(port, text)
        check(r.status == 400 and where in r.body.decode(), f"bad pipe {text!r}: {r.status} {r.body[:200]!r}")

    out = subprocess.run([sawlog, "query", "--server", f"http://127.0.0.1:{port}", "--format", "table",
                          "* | stats by (method) count() as n"], capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, f"sawlog query --format table failed: {out.stderr}")
    lines = out.stdout.splitlines()
    check(lines[0].split() == ["method", "n"] and len(lines) == 1 + len({e["method"] for e in events}),
          f"sawlog query --format table printed: {out.stdout[:300]!r}")


def run(args, work: str) -> None:
    events = load(args.data_root)
    check(len(events) > 9000, f"parsed only {len(events)} access log lines")
    data = os.path.join(work, "data")
    with e2e.Server(args.sawlog, work, data, extra_args=["--flush-interval", "1h"]) as s:
        s.start()
        for i in range(0, len(events), 2500):
            e2e.check_ingest(e2e.ingest(s.port, e2e.ndjson(events[i:i + 2500])), "ingest", min(2500, len(events) - i))
        check_all(s.port, events, args.sawlog)
        e2e.log("head: all checks pass")
        m = e2e.request(s.port, "GET", "/metrics")
        check(m.status == 200 and m.headers.get("content-type", "").startswith("text/plain"), f"/metrics: {m.status}")
        metrics = dict(line.rsplit(" ", 1) for line in m.body.decode().splitlines() if line and not line.startswith("#"))
        native = metrics.get('sawlog_ingested_events_total{receiver="native"}')
        check(native == str(len(events)), f"/metrics counts {native} events, want {len(events)}")
        check(int(metrics.get('sawlog_http_requests_total{handler="query",code="200"}', "0")) > 5 and
              int(metrics.get("sawlog_store_head_rows", "-1")) == len(events), f"/metrics: {m.body[:400]!r}")
        check(s.stop() == 0, "the server did not stop cleanly")  # a clean stop flushes into parts
    with e2e.Server(args.sawlog, work, data) as s:
        s.start()
        check_all(s.port, events, args.sawlog)
        e2e.log("parts after a restart: all checks pass")
        s.stop()
    with e2e.Server(args.sawlog, work, data, extra_args=["--max-query-memory", "1MiB"]) as s:
        s.start()
        r = e2e.query_raw(s.port, "* | stats by (_msg) count()")
        check(r.status == 429 and b"--max-query-memory" in r.body, f"memory cap: {r.status} {r.body[:200]!r}")


if __name__ == "__main__":
    e2e.main(run, __doc__)
