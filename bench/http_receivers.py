#!/usr/bin/python3
"""Request-level load generator for the HTTP receivers: OTLP logs (protobuf, JSON), Loki push
(protobuf+snappy, JSON) and Elasticsearch _bulk, each into a fresh `sawlog server` (durable: every
answer comes after the WAL fsync).

    /usr/bin/python3 bench/http_receivers.py [--requests N] [--batch N] [--connections N] [--only NAME,...]

For each protocol it builds one realistic request of --batch events (an instrumented service's
records: severity, trace context, a handful of attributes; Promtail-like lines with a few labels),
sends it --requests times over --connections keep-alive connections, and prints events/s (wall),
events/s per core of server CPU time (user+system from /proc), and request MB/s. Needs
python3-protobuf, python3-snappy and protoc (scripts/install-deps).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from sawlog_e2e import cpu_seconds, free_port  # noqa: E402
BASE_NS = 1_795_000_000_000_000_000


def records(n: int, rng: random.Random) -> list[dict]:
    paths = ["/api/orders", "/api/cart", "/login", "/api/search", "/health"]
    out = []
    for i in range(n):
        status = rng.choice([200, 200, 200, 201, 404, 500])
        out.append({
            "time_ns": BASE_NS + i * 1_000_000,
            "severity": "ERROR" if status >= 500 else "INFO", "severity_number": 17 if status >= 500 else 9,
            "body": f"{rng.choice(['GET', 'POST'])} {rng.choice(paths)} {status} in {rng.randint(1, 900)} ms user={rng.randint(1, 10**6)}",
            "trace_id": rng.randbytes(16), "span_id": rng.randbytes(8),
            "attributes": {"http.method": rng.choice(["GET", "POST"]), "http.route": rng.choice(paths),
                           "http.status_code": status, "user.id": f"u-{rng.randint(1, 10**6)}",
                           "duration_ms": round(rng.uniform(0.5, 900), 2), "retry": rng.random() < 0.1},
        })
    return out


def otlp_requests(recs: list[dict], work: str) -> tuple[bytes, bytes]:
    subprocess.run(["protoc", f"--python_out={work}", "-I", os.path.join(ROOT, "proto"),
                    "opentelemetry/proto/common/v1/common.proto", "opentelemetry/proto/resource/v1/resource.proto",
                    "opentelemetry/proto/logs/v1/logs.proto", "opentelemetry/proto/collector/logs/v1/logs_service.proto",
                    "loki/push.proto"], check=True, cwd=os.path.join(ROOT, "proto"))
    sys.path.insert(0, work)
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2 as svc
    req = svc.ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    for k, v in (("service.name", "checkout"), ("service.version", "2.1.0"), ("host.name", "web-1"),
                 ("deployment.environment", "prod")):
        rl.resource.attributes.add(key=k).value.string_value = v
    sl = rl.scope_logs.add()
    sl.scope.name, sl.scope.version = "io.shop.checkout", "1.4.2"
    js_records = []
    for r in recs:
        lr = sl.log_records.add(time_unix_nano=r["time_ns"], observed_time_unix_nano=r["time_ns"],
                                severity_number=r["severity_number"], severity_text=r["severity"],
                                trace_id=r["trace_id"], span_id=r["span_id"], flags=1)
        lr.body.string_value = r["body"]
        attrs = []
        for k, v in r["attributes"].items():
            a = lr.attributes.add(key=k)
            if isinstance(v, bool):
                a.value.bool_value = v
                attrs.append({"key": k, "value": {"boolValue": v}})
            elif isinstance(v, int):
                a.value.int_value = v
                attrs.append({"key": k, "value": {"intValue": str(v)}})
            elif isinstance(v, float):
                a.value.double_value = v
                attrs.append({"key": k, "value": {"doubleValue": v}})
            else:
                a.value.string_value = v
                attrs.append({"key": k, "value": {"stringValue": v}})
        js_records.append({"timeUnixNano": str(r["time_ns"]), "observedTimeUnixNano": str(r["time_ns"]),
                           "severityNumber": r["severity_number"], "severityText": r["severity"],
                           "traceId": r["trace_id"].hex(), "spanId": r["span_id"].hex(), "flags": 1,
                           "body": {"stringValue": r["body"]}, "attributes": attrs})
    js = {"resourceLogs": [{"resource": {"attributes": [{"key": a.key, "value": {"stringValue": a.value.string_value}}
                                                        for a in rl.resource.attributes]},
                            "scopeLogs": [{"scope": {"name": sl.scope.name, "version": sl.scope.version},
                                           "logRecords": js_records}]}]}
    return req.SerializeToString(), json.dumps(js).encode()


def loki_requests(recs: list[dict]) -> tuple[bytes, bytes]:
    import snappy
    from loki import push_pb2
    push = push_pb2.PushRequest()
    streams = {}
    js = {"streams": []}
    for r in recs:
        level = r["severity"].lower()
        if level not in streams:
            streams[level] = push.streams.add(labels=f'{{job="checkout", host="web-1", level="{level}"}}')
            js["streams"].append({"stream": {"job": "checkout", "host": "web-1", "level": level}, "values": []})
        e = streams[level].entries.add(line=r["body"].encode())
        e.timestamp.seconds, e.timestamp.nanos = divmod(r["time_ns"], 10**9)
        e.structuredMetadata.add(name="trace_id", value=r["trace_id"].hex().encode())
        next(s for s in js["streams"] if s["stream"]["level"] == level)["values"].append(
            [str(r["time_ns"]), r["body"], {"trace_id": r["trace_id"].hex()}])
    return snappy.compress(push.SerializeToString()), json.dumps(js).encode()


def es_request(recs: list[dict]) -> bytes:
    lines = []
    for r in recs:
        lines.append('{"create":{"_index":"checkout"}}')
        doc = {"@timestamp": r["time_ns"] // 1_000_000, "message": r["body"], "log": {"level": r["severity"].lower()},
               "trace": {"id": r["trace_id"].hex()}, **r["attributes"]}
        lines.append(json.dumps(doc))
    return ("\n".join(lines) + "\n").encode()


def run_one(sawlog: str, name: str, path: str, ctype: str, body: bytes, events: int, args) -> None:
    work = tempfile.mkdtemp(prefix="sawlog-bench-recv-")
    port = free_port()
    server = subprocess.Popen([sawlog, "server", "--data", os.path.join(work, "data"), "--listen", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        per_conn = [args.requests // args.connections + (i < args.requests % args.connections) for i in range(args.connections)]
        errors = []

        def client(n: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for _ in range(n):
                conn.request("POST", path, body, {"Content-Type": ctype})
                r = conn.getresponse()
                r.read()
                if r.status not in (200, 204):
                    errors.append(r.status)
            conn.close()

        cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
        threads = [threading.Thread(target=client, args=(n,)) for n in per_conn]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        secs, cpu = time.monotonic() - t0, cpu_seconds(server.pid) - cpu0
        total = events * args.requests
        status = f"  ({len(errors)} failed requests: {errors[:3]})" if errors else ""
        print(f"{name:<22} {total / secs / 1e3:8.0f} k events/s  {total / cpu / 1e3:8.0f} k events/s per core"
              f"  {len(body) * args.requests / secs / 1e6:7.1f} MB/s  ({len(body) / 1e3:.0f} kB requests, server CPU {cpu:.2f} s of {secs:.2f} s){status}",
              flush=True)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--batch", type=int, default=1000, help="events per request")
    p.add_argument("--connections", type=int, default=2)
    p.add_argument("--only", default="", help="comma-separated protocol names")
    p.add_argument("--sawlog", default=os.path.join(ROOT, "build", "sawlog"))
    args = p.parse_args()
    recs = records(args.batch, random.Random(7))
    with tempfile.TemporaryDirectory() as gen:
        otlp_pb, otlp_js = otlp_requests(recs, gen)
        loki_pb, loki_js = loki_requests(recs)
    bulk = es_request(recs)
    cases = [("otlp-protobuf", "/v1/logs", "application/x-protobuf", otlp_pb),
             ("otlp-json", "/v1/logs", "application/json", otlp_js),
             ("loki-protobuf-snappy", "/loki/api/v1/push", "application/x-protobuf", loki_pb),
             ("loki-json", "/loki/api/v1/push", "application/json", loki_js),
             ("elasticsearch-bulk", "/_bulk", "application/x-ndjson", bulk)]
    only = set(filter(None, args.only.split(",")))
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores, {model}")
    print(f"{args.requests} requests of {args.batch} events over {args.connections} connections, per protocol")
    for name, path, ctype, body in cases:
        if not only or name in only:
            run_one(args.sawlog, name, path, ctype, body, args.batch, args)


if __name__ == "__main__":
    main()
