"""The Elasticsearch receiver with the official clients, unchanged, pointed at sawlog.

Proves:
  * python3-elasticsearch (Debian's, the 7.17 client): `info()` passes its product check, and
    `helpers.bulk` stores every document, found by a query with the index as stream label,
    `message` as _msg, `@timestamp` as _time and nested fields flattened; with
    raise_on_error=False a bad document comes back as that item's error while the others are stored;
  * the npm @elastic/elasticsearch client (8.x): `info()` and the bulk helper (several requests)
    report every document successful, and the documents are found the same way.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402


def python_client(port: int) -> None:
    try:
        import elasticsearch
        from elasticsearch import helpers
    except ImportError:
        e2e.log("python3-elasticsearch is not installed (scripts/install-deps): its part skipped")
        return
    es = elasticsearch.Elasticsearch(f"http://127.0.0.1:{port}")
    info = es.info()
    check(info["version"]["number"].startswith("8."), f"python info(): {info}")
    docs = [{"_index": "py-logs", "@timestamp": f"2026-11-21T07:00:{i % 60:02d}.{i:03d}Z",
             "message": f"python doc {i}", "n": i, "http": {"status": 200 + i % 3}} for i in range(250)]
    ok, errors = helpers.bulk(es, docs, chunk_size=100)
    check(ok == 250 and errors == [], f"helpers.bulk: {ok} ok, errors {errors}")
    got = e2e.query(port, '_stream:{index="py-logs"}')
    check(len(got) == 250, f"python bulk: {len(got)} events, want 250")
    e = next(x for x in got if x["_msg"] == "python doc 7")
    check(e["_time"] == "2026-11-21T07:00:07.007000000Z" and e["n"] == "7" and e["http.status"] == "201"
          and e["_stream"] == '{index="py-logs"}', f"python doc 7: {e}")

    mixed = [{"_index": "py-mixed", "message": "good", "@timestamp": "2026-11-21T07:01:00Z"},
             {"_index": "py-mixed", "message": "bad time", "@timestamp": "yesterday-ish"}]
    ok, errors = helpers.bulk(es, mixed, raise_on_error=False)
    check(ok == 1 and len(errors) == 1, f"helpers.bulk with a bad document: {ok} ok, errors {errors}")
    (op, item), = errors[0].items()
    check(item["status"] == 400 and item["error"]["type"] == "mapper_parsing_exception"
          and "@timestamp" in item["error"]["reason"], f"the bad document's error: {errors[0]}")
    check([x["_msg"] for x in e2e.query(port, '_stream:{index="py-mixed"}')] == ["good"], "python: the good document stored")


def npm_client(port: int) -> None:
    out = e2e.node_client("es_bulk.mjs", f"http://127.0.0.1:{port}", "npm-logs", "300")
    check(out and out[0]["info"].startswith("8.") and out[0]["bulk"] == {"total": 300, "successful": 300, "failed": 0},
          f"npm bulk helper: {out}")
    got = e2e.query(port, '_stream:{index="npm-logs"}')
    check(len(got) == 300, f"npm bulk: {len(got)} events, want 300")
    e = next(x for x in got if x["_msg"] == "npm bulk doc 61")
    check(e["_time"] == "2026-11-21T08:00:01.061000000Z" and e["n"] == "61" and e["http.method"] == "GET",
          f"npm doc 61: {e}")


def run(args, work):
    with e2e.Server(args.sawlog, work) as srv:
        srv.start()
        python_client(srv.port)
        npm_client(srv.port)
        srv.assert_alive()


if __name__ == "__main__":
    e2e.main(run, __doc__)
