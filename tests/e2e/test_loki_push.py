"""The Loki receiver: POST /loki/api/v1/push with JSON, and with protobuf compressed with snappy
(Promtail's, Grafana Alloy's and the Loki Docker driver's default).

Proves: a push answers 204 only once stored, and its entries are then found by a query with the
stream's labels as _stream, the line as _msg, the nanosecond timestamp as _time and structured
metadata as fields; gzip bodies work; bad entries are refused with 400 naming streams[i].values[j]
while the good entries of the same push are stored (as Loki does); a body that is not a push is
400 and stores nothing; the pipeline configured for the receiver `loki` applies. Protobuf: a
PushRequest built from proto/loki/push.proto (python3-protobuf, python3-snappy) is stored with its
LogQL label set (Go-quoted values) as _stream, seconds+nanos as _time and structured metadata as
fields; bad entries and label sets are named the same way; and the npm winston-loki transport,
which pushes protobuf+snappy, is found by a query with its labels and the lines' own times.
"""

from __future__ import annotations

import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

PUSH = "/loki/api/v1/push"
BASE_NS = 1_795_000_000_000_000_000  # 2026-11-18


def push(port: int, body: dict | bytes, gz: bool = False, ctype: str = "application/json") -> e2e.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": ctype}
    if gz:
        data = gzip.compress(data)
        headers["Content-Encoding"] = "gzip"
    return e2e.request(port, "POST", PUSH, data, headers)


def protobuf_push(port: int, work: str) -> None:
    try:
        import snappy
    except ImportError:
        e2e.log("python3-snappy is missing: protobuf pushes from python skipped")
        return
    if e2e.compile_protos(work, "loki/push.proto") is None:
        e2e.log("protobuf pushes from python skipped")
        return
    from loki import push_pb2

    def proto_push(req) -> e2e.Response:
        return push(port, snappy.compress(req.SerializeToString()), ctype="application/x-protobuf")

    req = push_pb2.PushRequest()
    s = req.streams.add(labels='{job="proto", path="C:\\\\logs\\t\\"x\\"", host="h1"}')
    e = s.entries.add(line=b"proto first")
    e.timestamp.seconds, e.timestamp.nanos = BASE_NS // 10**9, 123456789
    e = s.entries.add(line=b"proto second")
    e.timestamp.seconds = BASE_NS // 10**9 + 1
    e.structuredMetadata.add(name="trace_id", value=b"t-9")
    r = proto_push(req)
    check(r.status == 204 and not r.body, f"protobuf push: {r!r}, want 204")
    got = e2e.query(port, '_stream:{job="proto"}')
    check(len(got) == 2, f"protobuf push: {got}")
    second, first = got
    check(first["_msg"] == "proto first" and first["_time"] == "2026-11-18T11:06:40.123456789Z"
          and first["_stream"] == '{host="h1",job="proto",path="C:\\\\logs\t\\"x\\""}', f"protobuf first: {first}")
    check(second["_msg"] == "proto second" and second["trace_id"] == "t-9"
          and second["_time"] == "2026-11-18T11:06:41.000000000Z", f"protobuf second: {second}")

    bad = push_pb2.PushRequest()
    s = bad.streams.add(labels='{job="proto-bad"}')
    s.entries.add(line=b"good").timestamp.seconds = BASE_NS // 10**9
    s.entries.add(line=b"negative").timestamp.seconds = -5
    bad.streams.add(labels="job=nobraces").entries.add(line=b"x")
    r = proto_push(bad)
    check(r.status == 400, f"bad protobuf entries: {r!r}, want 400")
    text = r.body.decode()
    for where in ("streams[0].entries[1]", "streams[1].labels, column 1"):
        check(where in text, f"bad protobuf entries: the reply does not name {where}: {text!r}")
    check([e["_msg"] for e in e2e.query(port, '_stream:{job="proto-bad"}')] == ["good"], "good entry of a bad protobuf push")
    r = push(port, b"\x00\x01", ctype="application/x-protobuf")
    check(r.status == 400 and b"snappy" in r.body, f"not snappy: {r!r}, want 400 naming snappy")


def winston(port: int) -> None:
    out = e2e.node_client("loki_winston.mjs", f"http://127.0.0.1:{port}", "w1")
    check(out and out[0]["content_type"] == "application/x-protobuf", f"winston-loki did not push protobuf: {out}")
    got = e2e.query(port, '_stream:{app="winston",run="w1"}')
    check(len(got) == 5, f"winston-loki: {len(got)} events, want 5: {got}")
    by_msg = {e["_msg"]: e for e in got}
    for i in range(5):
        level = "error" if i == 3 else "info"
        e = by_msg.get(f"{level}: winston line {i} of w1")
        check(e is not None and e["_stream"] == f'{{app="winston",level="{level}",run="w1"}}'
              and e["_time"] == f"2026-11-22T09:30:0{i}.000000000Z", f"winston-loki line {i}: {e}; all {got}")


def run(args, work):
    with e2e.Server(args.sawlog, work) as srv:
        srv.start()
        port = srv.port
        body = {"streams": [
            {"stream": {"job": "api", "env": "prod"},
             "values": [[str(BASE_NS + 123456789), "first line"],
                        [str(BASE_NS + 2_000_000_000), "second line", {"trace_id": "t-42", "user": "ann"}]]},
            {"stream": {"job": "worker"}, "values": [[str(BASE_NS + 5), "worker line"]]},
        ]}
        r = push(port, body)
        check(r.status == 204 and not r.body, f"push: {r!r}, want 204 with no body")
        api = e2e.query(port, '_stream:{job="api"}')
        check(len(api) == 2, f"job api: {api}")
        second, first = api  # newest first
        check(first["_msg"] == "first line" and first["_time"] == "2026-11-18T11:06:40.123456789Z"
              and first["_stream"] == '{env="prod",job="api"}', f"first: {first}")
        check(second["_msg"] == "second line" and second["_time"] == "2026-11-18T11:06:42.000000000Z"
              and second["trace_id"] == "t-42" and second["user"] == "ann", f"second: {second}")
        worker = e2e.query(port, '_stream:{job="worker"}')
        check(len(worker) == 1 and worker[0]["_time"] == "2026-11-18T11:06:40.000000005Z", f"worker: {worker}")

        many = {"streams": [{"stream": {"job": "gz", "n": str(s)},
                             "values": [[str(BASE_NS + i), f"entry {s}/{i}"] for i in range(200)]} for s in range(5)]}
        r = push(port, many, gz=True)
        check(r.status == 204, f"gzip push: {r!r}")
        gz = e2e.query(port, '_stream:{job="gz"}')
        check(len(gz) == 1000 and len({e["_stream"] for e in gz}) == 5, f"gzip push: {len(gz)} events")

        bad = {"streams": [{"stream": {"job": "mixed"},
                            "values": [["soon", "bad time"], [str(BASE_NS), "good"], [str(BASE_NS), 7]]},
                           {"stream": {"bad-name": "x"}, "values": [[str(BASE_NS), "bad label"]]}]}
        r = push(port, bad)
        check(r.status == 400, f"bad entries: {r!r}, want 400")
        text = r.body.decode()
        for where in ("streams[0].values[0]", "streams[0].values[2]", "streams[1].stream"):
            check(where in text, f"bad entries: the reply does not name {where}: {text!r}")
        check([e["_msg"] for e in e2e.query(port, '_stream:{job="mixed"}')] == ["good"], "good entry of a bad push stored")

        for what, r in (("not JSON", push(port, b"{nope")), ("no streams", push(port, {"values": []}))):
            check(r.status == 400 and r.body, f"{what}: {r!r}, want 400 with a reason")
        protobuf_push(port, work)
        winston(port)
        srv.assert_alive()

    # The receiver's pipeline, by its name `loki`.
    config = os.path.join(work, "config.yaml")
    with open(config, "w") as f:
        f.write("pipelines:\n  l:\n    - set: {fields: {via: loki}}\nreceivers:\n  loki: {pipeline: l}\n")
    with e2e.Server(args.sawlog, os.path.join(work, "p"), extra_args=["--config", config]) as srv:
        srv.start()
        r = push(srv.port, {"streams": [{"stream": {"job": "p"}, "values": [[str(BASE_NS), "piped"]]}]})
        check(r.status == 204, f"push through a pipeline: {r!r}")
        got = e2e.query(srv.port, '_stream:{job="p"}')
        check(len(got) == 1 and got[0]["via"] == "loki", f"pipeline: {got}")


if __name__ == "__main__":
    e2e.main(run, __doc__)
