"""The OpenTelemetry receiver: OTLP/HTTP logs at POST /v1/logs, protobuf and JSON.

Proves, with real clients:
  * the OpenTelemetry JS SDK (@opentelemetry/sdk-logs) with @opentelemetry/exporter-logs-otlp-http
    (JSON) and @opentelemetry/exporter-logs-otlp-proto (protobuf) exports records whose events are
    then found by a query with _time, _msg, severity, trace and span ids, flags, the scope, the
    resource's attributes (service.name also as the stream label) and the record's attributes
    flattened;
  * the OTLP JSON example of ../shared/data/vectors/otlp/examples answers {} and is stored with
    every field; the same request as protobuf (python3-protobuf over the proto/ messages),
    gzip-compressed, answers an empty ExportLogsServiceResponse;
  * bad records are refused alone: 200 with partial_success (rejected_log_records and an
    error_message naming them) in the request's encoding, the others stored; a malformed body is
    400 with a google.rpc.Status JSON body, a wrong Content-Type 415, and nothing is stored;
    /metrics counts the stored and the refused records;
  * the pipeline configured for the receiver `otlp` applies.
"""

from __future__ import annotations

import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

LOGS = "/v1/logs"
JSON = {"Content-Type": "application/json"}
PROTO = {"Content-Type": "application/x-protobuf"}


def post(port: int, body: bytes, headers: dict[str, str]) -> e2e.Response:
    return e2e.request(port, "POST", LOGS, body, headers)


def sdk_exporters(port: int) -> None:
    for encoding in ("json", "proto"):
        sent = e2e.node_client("otlp_logs.mjs", f"http://127.0.0.1:{port}", encoding, "run1")
        check(len(sent) == 3, f"{encoding}: the SDK reported {sent}")
        got = e2e.query(port, f'_stream:{{service.name="shop-{encoding}"}}')
        check(len(got) == 3, f"{encoding}: {len(got)} events, want 3: {got}")
        by_span = {e.get("span_id"): e for e in got}
        for s in sent:
            e = by_span.get(s["span_id"])
            check(e is not None, f"{encoding}: no event with span_id {s['span_id']}: {got}")
            what = f"{encoding} record {s['body']!r}"
            check(e2e.parse_time_ns(e["_time"]) == s["time_ms"] * 1_000_000, f"{what}: _time {e['_time']}, want {s['time_ms']} ms")
            if isinstance(s["body"], str):
                check(e["_msg"] == s["body"], f"{what}: _msg {e['_msg']!r}")
            else:
                check(json.loads(e["_msg"]) == s["body"], f"{what}: _msg {e['_msg']!r} is not the body as JSON")
            want = {"_stream": f'{{service.name="shop-{encoding}"}}', "service.name": f"shop-{encoding}",
                    "service.version": "2.1.0", "deployment.environment": "e2e", "scope.name": "checkout",
                    "scope.version": "1.4.2", "severity": s["severity"], "severity_number": str(s["severity_number"]),
                    "trace_id": s["trace_id"], "span_id": s["span_id"], "flags": "1"}
            for k, v in want.items():
                check(e.get(k) == v, f"{what}: {k} = {e.get(k)!r}, want {v!r}; event {e}")
        first = by_span[sent[0]["span_id"]]
        check(first.get("order.id") == "1001" and first.get("user.id") == "u-7" and first.get("user.tier") == "gold",
              f"{encoding}: attributes (a map flattened): {first}")
        second = by_span[sent[1]["span_id"]]
        check(second.get("http.status_code") == "502" and second.get("retry") == "true"
              and json.loads(second.get("tags", "null")) == ["card", "eu"], f"{encoding}: attributes: {second}")
        check(e2e.query(port, f'trace_id:{sent[1]["trace_id"]}')[0]["_msg"] == sent[1]["body"], "query by trace_id")


def example_vector(port: int, data_root: str, work: str) -> None:
    with open(os.path.join(data_root, "vectors/otlp/examples/logs.json"), "rb") as f:
        example = f.read()
    r = post(port, example, JSON)
    check(r.status == 200 and r.json() == {} and r.headers.get("content-type") == "application/json",
          f"examples/logs.json: {r!r}, want 200 {{}}")
    got = e2e.query(port, '_stream:{service.name="my.service"}')
    check(len(got) == 1, f"example: {got}")
    e = got[0]
    want = {"_time": "2018-12-13T14:51:00.300000000Z", "_msg": "Example log record", "severity": "Information",
            "severity_number": "10", "trace_id": "5b8efff798038103d269b633813fc60c", "span_id": "eee19b7ec3c1b174",
            "scope.name": "my.library", "scope.version": "1.0.0", "my.scope.attribute": "some scope attribute",
            "string.attribute": "some string", "boolean.attribute": "true", "int.attribute": "10",
            "double.attribute": "637.704", "array.attribute": '["many","values"]',
            "map.attribute.some.map.key": "some value"}
    for k, v in want.items():
        check(e.get(k) == v, f"example: {k} = {e.get(k)!r}, want {v!r}; event {e}")

    pb = e2e.compile_protos(work, "opentelemetry/proto/common/v1/common.proto",
                            "opentelemetry/proto/resource/v1/resource.proto",
                            "opentelemetry/proto/logs/v1/logs.proto",
                            "opentelemetry/proto/collector/logs/v1/logs_service.proto")
    if pb is None:
        e2e.log("protobuf requests from python skipped")
        return
    from google.protobuf import json_format
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2 as svc
    request = svc.ExportLogsServiceRequest()
    as_proto_json = json.loads(example)  # protobuf's JSON mapping wants base64 ids
    rec = as_proto_json["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    rec.pop("traceId"), rec.pop("spanId")
    as_proto_json["resourceLogs"][0]["resource"]["attributes"][0]["value"]["stringValue"] = "my.proto.service"
    json_format.ParseDict(as_proto_json, request)
    request.resource_logs[0].scope_logs[0].log_records[0].trace_id = bytes.fromhex("5b8efff798038103d269b633813fc60c")
    r = post(port, gzip.compress(request.SerializeToString()), {**PROTO, "Content-Encoding": "gzip"})
    check(r.status == 200 and r.headers.get("content-type") == "application/x-protobuf", f"protobuf example: {r!r}")
    response = svc.ExportLogsServiceResponse.FromString(r.body)
    check(not response.HasField("partial_success"), f"protobuf example: {response}")
    got = e2e.query(port, '_stream:{service.name="my.proto.service"}')
    check(len(got) == 1, f"protobuf example: {got}")
    for k, v in want.items():
        if k != "span_id":
            check(got[0].get(k) == v, f"protobuf example: {k} = {got[0].get(k)!r}, want {v!r}")

    # One record with a 3-byte trace id: refused alone, named in the partial success.
    bad = svc.ExportLogsServiceRequest()
    bad.CopyFrom(request)
    records = bad.resource_logs[0].scope_logs[0].log_records
    good2 = records.add()
    good2.CopyFrom(records[0])
    good2.body.string_value = "second proto record"
    records[0].trace_id = b"abc"
    r = post(port, bad.SerializeToString(), PROTO)
    check(r.status == 200, f"partial protobuf: {r!r}")
    response = svc.ExportLogsServiceResponse.FromString(r.body)
    check(response.partial_success.rejected_log_records == 1
          and "record 1: resource_logs[0].scope_logs[0].log_records[0]: trace_id of 3 bytes" in response.partial_success.error_message,
          f"partial protobuf: {response}")
    check([e["_msg"] for e in e2e.query(port, '"second proto record"')] == ["second proto record"], "the good record is stored")


def errors(port: int) -> None:
    partial = {"resourceLogs": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "errs"}}]},
                                 "scopeLogs": [{"logRecords": [
                                     {"timeUnixNano": "1795000000000000000", "body": {"stringValue": "kept"}},
                                     {"timeUnixNano": "1795000000000000001", "traceId": "xyz", "body": {"stringValue": "refused"}}]}]}]}
    r = post(port, json.dumps(partial).encode(), JSON)
    check(r.status == 200, f"partial JSON: {r!r}")
    ps = r.json().get("partialSuccess", {})
    check(ps.get("rejectedLogRecords") == "1" and "logRecords[1]: traceId: expected 32 hex digits" in ps.get("errorMessage", ""),
          f"partial JSON: {r.json()}")
    stored = e2e.query(port, "_stream:{service.name=\"errs\"}")
    check([e["_msg"] for e in stored] == ["kept"], f"partial JSON: stored {stored}")

    for what, body, headers, status in (
            ("not JSON", b'{"resourceLogs":[', JSON, 400),
            ("scopeLogs not an array", b'{"resourceLogs":[{"scopeLogs":{}}]}', JSON, 400),
            ("not protobuf", b"\xff\xff\xff", PROTO, 400),
            ("text/plain", b"hello", {"Content-Type": "text/plain"}, 415)):
        r = post(port, body, headers)
        check(r.status == status, f"{what}: {r!r}, want {status}")
        got = r.json()
        check(isinstance(got.get("code"), int) and got.get("message"), f"{what}: not a google.rpc.Status: {got}")
    r = e2e.request(port, "GET", LOGS)
    check(r.status == 400 and "POST" in r.json()["message"], f"GET {LOGS}: {r!r}")
    stored = e2e.query(port, "_stream:{service.name=\"errs\"}")
    check(len(stored) == 1, f"a refused request stores nothing: {stored}")

    # So far: the example as JSON and as protobuf, one good record of the partial protobuf request
    # and one of the partial JSON request stored; one record of each refused.
    m = e2e.request(port, "GET", "/metrics")
    metrics = dict(line.rsplit(" ", 1) for line in m.body.decode().splitlines() if line and not line.startswith("#"))
    for name, want in (('sawlog_ingested_events_total{receiver="otlp"}', "4"),
                       ('sawlog_rejected_lines_total{receiver="otlp"}', "2")):
        check(metrics.get(name) == want, f"/metrics: {name} = {metrics.get(name)}, want {want}")


def run(args, work):
    with e2e.Server(args.sawlog, work) as srv:
        srv.start()
        example_vector(srv.port, args.data_root, work)
        errors(srv.port)
        sdk_exporters(srv.port)
        srv.assert_alive()

    config = os.path.join(work, "config.yaml")
    with open(config, "w") as f:
        f.write("pipelines:\n  o:\n    - set: {fields: {via: otlp}}\nreceivers:\n  otlp: {pipeline: o}\n")
    with e2e.Server(args.sawlog, os.path.join(work, "p"), extra_args=["--config", config]) as srv:
        srv.start()
        body = {"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "piped"}}]}]}]}
        r = post(srv.port, json.dumps(body).encode(), JSON)
        check(r.status == 200 and r.json() == {}, f"through a pipeline: {r!r}")
        got = e2e.query(srv.port, "piped")
        check(len(got) == 1 and got[0]["via"] == "otlp", f"pipeline: {got}")


if __name__ == "__main__":
    e2e.main(run, __doc__)
