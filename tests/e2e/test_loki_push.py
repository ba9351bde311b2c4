"""The Loki receiver: POST /loki/api/v1/push with JSON, as Promtail, Grafana Alloy and the Loki
Docker driver send it (protobuf+snappy is not supported yet and is refused with 415).

Proves: a push answers 204 only once stored, and its entries are then found by a query with the
stream's labels as _stream, the line as _msg, the nanosecond timestamp as _time and structured
metadata as fields; gzip bodies work; bad entries are refused with 400 naming streams[i].values[j]
while the good entries of the same push are stored (as Loki does); a body that is not a push is
400 and stores nothing; the pipeline configured for the receiver `loki` applies.
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
        r = push(port, b"\x00\x01", ctype="application/x-protobuf")
        check(r.status == 415 and b"protobuf" in r.body, f"protobuf: {r!r}, want 415")
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
