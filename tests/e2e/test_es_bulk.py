"""The Elasticsearch receiver: shippers' probes, POST /_bulk and /<index>/_bulk, per-item errors.

The requests are written by hand, as the 8.x client and Beats send them (the real clients are in
test_es_clients.py). Proves:
  * the probes a shipper makes first (GET /, HEAD /, /_license, /_xpack, index templates, ILM
    policies) answer 200 with `X-Elastic-Product: Elasticsearch` and an 8.x version;
  * a bulk request (plain and gzip) answers in ES's shape, one item per action, status 201, and
    its events are then found by a query with the index as stream label, `message` as _msg,
    `@timestamp` as _time and the other fields flattened;
  * bad items are per-item errors (status 400, type and reason naming item and line) while the
    good items of the same request are stored; a malformed action line fails the request with
    ES's error shape;
  * the pipeline configured for the receiver `elasticsearch` shapes what it stores;
  * the YAML tests of ../shared/data/vectors/es-bulk that use only `bulk` and `count` pass
    (error reasons compared by prefix: sawlog adds the item and line).
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

NDJSON = {"Content-Type": "application/x-ndjson"}


def bulk(port: int, lines: list, path: str = "/_bulk", tenant: str | None = None, gz: bool = False) -> e2e.Response:
    body = "".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines).encode()
    headers = dict(NDJSON)
    if tenant:
        headers["X-Sawlog-Tenant"] = tenant
    if gz:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return e2e.request(port, "POST", path, body, headers)


def check_es(r: e2e.Response, what: str, status: int = 200):
    check(r.status == status, f"{what}: status {r.status}, want {status}; {r!r}")
    check(r.headers.get("x-elastic-product") == "Elasticsearch", f"{what}: no X-Elastic-Product header: {r.headers}")
    return r.json() if r.body else None


def probes(port: int) -> None:
    root = check_es(e2e.request(port, "GET", "/"), "GET /")
    check(root["version"]["number"].startswith("8.") and root["version"]["build_flavor"] == "default"
          and root["tagline"] == "You Know, for Search", f"GET /: {root}")
    r = e2e.request(port, "HEAD", "/")
    check(r.status == 200 and r.headers.get("x-elastic-product") == "Elasticsearch", f"HEAD /: {r!r}")
    check(check_es(e2e.request(port, "GET", "/_license"), "GET /_license")["license"]["status"] == "active", "license")
    check("features" in check_es(e2e.request(port, "GET", "/_xpack"), "GET /_xpack"), "xpack")
    for path in ("/_index_template/logs", "/_ilm/policy/logs", "/_template/logs"):
        got = check_es(e2e.request(port, "PUT", path, b'{"x":1}', {"Content-Type": "application/json"}), "PUT " + path)
        check(got == {"acknowledged": True}, f"PUT {path}: {got}")
        check_es(e2e.request(port, "GET", path), "GET " + path)


def ingest_and_query(port: int) -> None:
    docs = [
        ({"index": {"_index": "web", "_id": "w1"}},
         {"@timestamp": "2026-11-20T10:00:00.123456Z", "message": "GET /index.html 200", "http": {"status": 200, "method": "GET"}, "host": {"name": "h1"}}),
        ({"create": {"_index": "web"}},
         {"@timestamp": "2026-11-20T10:00:01+02:00", "message": "POST /login 302", "http": {"status": 302, "method": "POST"}}),
        ({"index": {}}, {"timestamp": 1795170000123, "message": "from the URL index", "level": "warn"}),
    ]
    lines = [x for pair in docs for x in pair]
    r = bulk(port, lines, path="/app/_bulk")
    got = check_es(r, "bulk")
    check(isinstance(got["took"], int) and got["errors"] is False and len(got["items"]) == 3, f"bulk: {got}")
    for (action, _), item in zip(docs, got["items"]):
        op = next(iter(action))
        check(list(item) == [op] and item[op]["status"] == 201 and item[op]["result"] == "created"
              and item[op]["_id"], f"bulk item {item}, want {op} created")
    check(got["items"][0]["index"]["_id"] == "w1" and got["items"][0]["index"]["_index"] == "web", f"{got['items'][0]}")
    check(got["items"][2]["index"]["_index"] == "app", f"URL index: {got['items'][2]}")

    web = e2e.query(port, '_stream:{index="web"}')
    check(len(web) == 2, f"index web: {len(web)} events, want 2: {web}")
    by_msg = {e["_msg"]: e for e in web}
    a = by_msg["GET /index.html 200"]
    check(a["_time"] == "2026-11-20T10:00:00.123456000Z" and a["http.status"] == "200" and a["http.method"] == "GET"
          and a["host.name"] == "h1" and a["_stream"] == '{index="web"}', f"event {a}")
    b = by_msg["POST /login 302"]
    check(b["_time"] == "2026-11-20T08:00:01.000000000Z" and b["http.status"] == "302", f"event {b}")
    app = e2e.query(port, '_stream:{index="app"}')
    check(len(app) == 1 and app[0]["_time"] == "2026-11-20T10:20:00.123000000Z" and app[0]["level"] == "warn",
          f"index app: {app}")

    # gzip, as Beats send it.
    many = []
    for i in range(500):
        many += [{"create": {"_index": "gz"}}, {"@timestamp": f"2026-11-21T00:00:{i % 60:02d}Z", "message": f"line {i}", "n": i}]
    got = check_es(bulk(port, many, gz=True), "gzip bulk")
    check(not got["errors"] and len(got["items"]) == 500, f"gzip bulk: errors {got['errors']}, {len(got['items'])} items")
    gz = e2e.query(port, '_stream:{index="gz"}')
    check(len(gz) == 500 and {e["n"] for e in gz} == {str(i) for i in range(500)}, f"gzip: {len(gz)} events")


def item_errors(port: int) -> None:
    lines = [{"index": {"_index": "err", "_id": ""}}, {"f": 1},
             {"index": {"_index": "err"}}, '{"broken": ',
             {"delete": {"_index": "err", "_id": "1"}},
             {"index": {"_index": "err"}}, {"@timestamp": "not a time", "message": "x"},
             {"index": {"_index": "err"}}, {"message": "good one", "@timestamp": "2026-11-22T00:00:00Z"}]
    got = check_es(bulk(port, lines), "bulk with bad items")
    items = got["items"]
    check(got["errors"] is True and len(items) == 5, f"bad items: {got}")
    want = [("index", "illegal_argument_exception", "line 1"), ("index", "mapper_parsing_exception", "line 4"),
            ("delete", "illegal_argument_exception", "line 5"), ("index", "mapper_parsing_exception", "line 7")]
    for n, (item, (op, typ, line)) in enumerate(zip(items, want), 1):
        x = item[op]
        check(x["status"] == 400 and x["error"]["type"] == typ and f"item {n}, " in x["error"]["reason"]
              and line in x["error"]["reason"], f"item {n}: {item}, want {op} {typ} naming item {n}, {line}")
    check(items[4]["index"]["status"] == 201, f"item 5: {items[4]}")
    stored = e2e.query(port, '_stream:{index="err"}')
    check([e["_msg"] for e in stored] == ["good one"], f"only the good item is stored: {stored}")

    r = bulk(port, [{"index": {"_index": "err"}}, {"f": 1}, {}])
    got = check_es(r, "malformed action", 400)
    check(got["status"] == 400 and "Malformed action/metadata line [3]" in got["error"]["reason"]
          and got["error"]["root_cause"][0]["type"] == got["error"]["type"], f"malformed action: {got}")
    check(len(e2e.query(port, '_stream:{index="err"}')) == 1, "a failed request stores nothing")


def yaml_vectors(port: int, data_root: str) -> None:
    try:
        import yaml
    except ImportError:
        e2e.log("python3-yaml missing: YAML vectors skipped")
        return
    files = sorted(glob.glob(os.path.join(data_root, "vectors/es-bulk/**/test/bulk/*.yml"), recursive=True))
    check(files, f"no YAML tests under {data_root}/vectors/es-bulk")
    ran = 0
    for path in files:
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                for name, steps in (doc or {}).items():
                    if name in ("setup", "teardown"):
                        continue
                    ran += run_yaml_test(port, os.path.basename(path), name, steps, ran)
    check(ran >= 5, f"only {ran} YAML tests applied")
    e2e.log(f"YAML vectors: {ran} tests passed")


def run_yaml_test(port: int, file: str, name: str, steps: list, n: int) -> int:
    """Runs one YAML test if it uses only bulk and count; returns 1 when it ran."""
    apis = {k for s in steps if "do" in s for k in s["do"] if k not in ("catch", "headers")}
    apis |= {k for s in steps for k in s if k not in ("do", "match")}
    feats = [f for s in steps for f in s.get("requires", {}).get("cluster_features", [])]
    if not apis <= {"bulk", "count", "requires", "skip"} or any(f != "bulk_auto_id" for f in feats):
        e2e.log(f"YAML {file} {name!r}: skipped (uses {sorted(apis)})")
        return 0
    what = f"YAML {file} {name!r}"
    tenant = f"yaml{n}"
    last = None
    for step in steps:
        if "do" in step:
            do = dict(step["do"])
            catch = do.pop("catch", None)
            do.pop("headers", None)
            (api, args), = do.items()
            if api == "count":
                last = {"count": len(e2e.query(port, f'_stream:{{index="{args["index"]}"}}', tenant=tenant))}
                continue
            body = args["body"]
            lines = body.splitlines() if isinstance(body, str) else body
            r = bulk(port, lines, tenant=tenant)
            if catch:
                got = check_es(r, what, 400)  # the catches of these tests: bad_request or /reason/
                check(catch == "bad_request" or re.search(catch.strip("/"), got["error"]["reason"]),
                      f"{what}: {got} does not match {catch}")
                continue
            last = check_es(r, what)
        elif "match" in step:
            (key, want), = step["match"].items()
            got = last
            for part in key.split("."):
                got = got[int(part)] if isinstance(got, list) else got.get(part)
            ok = got.startswith(want) if key.endswith("error.reason") and isinstance(got, str) else got == want
            check(ok, f"{what}: {key} is {got!r}, want {want!r}")
    return 1


# The receiver's pipeline, by its name `elasticsearch`; the native endpoint has none.
CONFIG = """
pipelines:
  es:
    - set: {fields: {via: elasticsearch}}
    - drop: {if: 'level:debug'}
receivers:
  elasticsearch: {pipeline: es}
"""


def with_pipeline(port: int) -> None:
    lines = [{"create": {"_index": "p"}}, {"message": "kept", "level": "info"},
             {"create": {"_index": "p"}}, {"message": "dropped", "level": "debug"}]
    got = check_es(bulk(port, lines), "bulk through a pipeline")
    check(not got["errors"] and [i["create"]["status"] for i in got["items"]] == [201, 201],
          f"a dropped event is acknowledged, not an error: {got}")
    stored = e2e.query(port, '_stream:{index="p"}')
    check(len(stored) == 1 and stored[0]["_msg"] == "kept" and stored[0]["via"] == "elasticsearch", f"pipeline: {stored}")
    native_has_no_pipeline(port)


def native_has_no_pipeline(port: int) -> None:
    r = e2e.ingest(port, e2e.ndjson([{"_msg": "native"}]))
    e2e.check_ingest(r, "native ingest", 1)
    native = e2e.query(port, "native")
    check(len(native) == 1 and "via" not in native[0], f"the native endpoint has no pipeline: {native}")


def run(args, work):
    with e2e.Server(args.sawlog, work) as srv:
        srv.start()
        probes(srv.port)
        ingest_and_query(srv.port)
        item_errors(srv.port)
        yaml_vectors(srv.port, args.data_root)
        srv.assert_alive()
    config = os.path.join(work, "config.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)
    with e2e.Server(args.sawlog, os.path.join(work, "p"), extra_args=["--config", config]) as srv:
        srv.start()
        with_pipeline(srv.port)
        srv.assert_alive()


if __name__ == "__main__":
    e2e.main(run, __doc__)
