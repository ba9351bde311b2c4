"""Bad input gets a clear answer, and the server keeps serving.

Proves, case by case, that malformed requests get the documented status and a JSON body that says
what is wrong (per-line `rejected` entries with 1-based line numbers and reasons, or
{"error":{"code","message"}}), that good lines next to bad ones are still stored, that nothing
from a refused request becomes searchable, and - after every case - that the process is alive,
GET /health is 200 and a fresh event can be ingested and found. Cases: malformed JSON lines among
good ones, all lines bad, invalid UTF-8, one event over 2 MiB, a 100 MB single line (streamed),
a body over 256 MiB, gzip/zstd bodies (valid, truncated, corrupt), unknown Content-Encoding,
empty body, wrong Content-Type, bad tenant names, bad query syntax and parameters, unknown paths.
All failing cases are reported together; a crashed server is restarted so later cases still run.
"""

from __future__ import annotations

import gzip
import http.client
import itertools
import os
import re
import struct
import sys
from typing import Iterator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check, check_error, check_ingest, ingest  # noqa: E402

MiB = 1 << 20
_ids = itertools.count(1)


def tok() -> str:
    """A token that occurs in no other event."""
    return f"uniq{next(_ids):05d}tok"


def line(token: str, **fields) -> bytes:
    return e2e.ndjson([{"_msg": f"bad input test {token}", **fields}])


def check_found(srv: e2e.Server, token: str, n: int, tenant: str | None = None) -> None:
    events = e2e.query(srv.port, token, tenant=tenant)
    check(len(events) == n, f"query {token!r}{f' (tenant {tenant})' if tenant else ''}: "
                            f"{len(events)} events, want {n}")


def check_refused(r: e2e.Response, statuses: tuple[int, ...], what: str) -> str:
    """A request that stored nothing: one of statuses with either an error object or a per-line
    rejection list with reasons. Returns the explanation the server gave."""
    check(r.status in statuses, f"{what}: status {r.status}, want {' or '.join(map(str, statuses))}; "
                                f"body {r.body[:300]!r}")
    body = r.json()
    if isinstance(body, dict) and "rejected" in body:
        check(body.get("accepted") == 0 and body["rejected"], f"{what}: body {r.body[:300]!r}")
        reasons = [x.get("reason") for x in body["rejected"] if isinstance(x, dict)]
        check(reasons and all(isinstance(x, str) and x for x in reasons),
              f"{what}: rejections without reasons: {r.body[:300]!r}")
        return "; ".join(reasons)
    return check_error(r, statuses, what)["message"]


# ---------------------------------------------------------------------------------------------
# Cases: each takes the server, asserts, and returns nothing

def malformed_lines_among_good(srv):
    good = [tok() for _ in range(3)]
    bad = tok()
    body = b"".join([line(good[0]), b'{"_msg": "broken ' + bad.encode() + b'"\n', line(good[1]),
                     b"not json at all " + bad.encode() + b"\n", b"[1, 2, 3]\n",
                     b'{"_msg": "trailing ' + bad.encode() + b'"} garbage\n', line(good[2])])
    check_ingest(ingest(srv.port, body), "3 good + 4 malformed lines", 3, [2, 4, 5, 6])
    for g in good:
        check_found(srv, g, 1)
    check_found(srv, bad, 0)


def all_lines_bad(srv):
    bad = tok()
    r = ingest(srv.port, b"{oops " + bad.encode() + b"\n" + b"nope\n")
    if r.status == 400 and "rejected" in r.json():
        check_ingest(r, "2 malformed lines", 0, [1, 2], status=400)
    else:
        check_error(r, 400, "2 malformed lines")
    check_found(srv, bad, 0)


def invalid_utf8(srv):
    good = [tok(), tok()]
    bad = tok().encode()
    body = b"".join([line(good[0]),
                     b'{"_msg": "bad \xff\xfe byte ' + bad + b'"}\n',
                     b'{"_msg": "overlong \xc0\xaf slash ' + bad + b'"}\n',
                     b'{"_msg": "surrogate \xed\xa0\x80 ' + bad + b'"}\n',
                     b'{"k\xc3": "cut", "_msg": "truncated sequence in a key ' + bad + b'"}\n',
                     line(good[1])])
    check_ingest(ingest(srv.port, body), "4 lines with invalid UTF-8 between 2 good", 2, [2, 3, 4, 5])
    for g in good:
        check_found(srv, g, 1)
    check_found(srv, bad.decode(), 0)


def event_over_2mib(srv):
    good, big = tok(), tok()
    huge = e2e.ndjson([{"_msg": f"big {big} " + "z" * (3 * MiB)}])
    rejected = check_ingest(ingest(srv.port, line(good) + huge + line(tok())), "a 3 MiB event between good ones",
                            2, [2])
    reason = rejected[0]["reason"]
    check(re.search(r"size|large|long|limit|MiB|bytes", reason, re.I),
          f"a 3 MiB event: rejection reason {reason!r} does not mention the size")
    check_found(srv, good, 1)
    check_found(srv, big, 0)


def streamed(srv, total: int, chunks: Iterator[bytes], what: str, statuses: tuple[int, ...]) -> None:
    r, sent, note = e2e.send_streamed(srv.port, "POST", "/api/v1/ingest",
                                      {"Content-Type": "application/x-ndjson"}, total, chunks)
    check(r is not None, f"{what}: no HTTP response after sending {sent} of {total} bytes ({note})")
    why = check_refused(r, statuses, what)
    e2e.log(f"    -> {r.status} after {sent} of {total} bytes{f' ({note})' if note else ''}: {why[:120]}")


def single_line_100mb(srv):
    marker = tok()
    total = 100 * MiB
    head, tail = f'{{"_msg": "{marker} '.encode(), b'"}\n'

    def chunks():
        yield head
        left, block = total - len(head) - len(tail), b"x" * MiB
        while left > 0:
            yield block[:min(left, MiB)]
            left -= MiB
        yield tail
    streamed(srv, total, chunks(), "a 100 MB single-line body", (400, 413))
    check_found(srv, marker, 0)


def body_over_256mib(srv):
    marker = tok()
    one = line(marker)
    block = one * (MiB // len(one))
    count = (256 * MiB) // len(block) + 2
    streamed(srv, len(block) * count, iter([block] * count), f"a {len(block) * count} byte body (> 256 MiB)", (413,))
    check_found(srv, marker, 0)


def zstd_raw_frame(data: bytes) -> bytes:
    """A valid zstd frame holding data in raw (uncompressed) blocks; the stdlib has no zstd."""
    out = [struct.pack("<I", 0xFD2FB528), bytes([0x00, 7 << 3])]  # no size/checksum; window 128 KiB
    blocks = [data[i:i + 65536] for i in range(0, len(data), 65536)] or [b""]
    for i, b in enumerate(blocks):
        out.append(struct.pack("<I", (len(b) << 3) | (i == len(blocks) - 1))[:3] + b)
    return b"".join(out)


def compressed_bodies(srv):
    for name, compress in (("gzip", gzip.compress), ("zstd", zstd_raw_frame)):
        tokens = [tok() for _ in range(200)]
        packed = compress(b"".join(line(t, pad="p" * 200) for t in tokens))
        check_ingest(ingest(srv.port, packed, encoding=name), f"a valid {name} body of 200 events", 200)
        check_found(srv, tokens[-1], 1)

        marker = tok()
        packed = compress(b"".join(line(marker, n=str(i), pad="p" * 200) for i in range(200)))
        bad = {"truncated": packed[:len(packed) // 2], "garbage": packed[:4] + b"\xde\xad" * 500}
        if name == "gzip":
            bad["bad-CRC"] = packed[:-8] + bytes([packed[-8] ^ 0xFF]) + packed[-7:]
        for what, body in bad.items():
            check_error(ingest(srv.port, body, encoding=name), 400, f"a {what} {name} body")
        check_found(srv, marker, 0)


def unknown_encoding(srv):
    check_error(ingest(srv.port, line(tok()), encoding="br"), 415, "Content-Encoding: br")


def empty_body(srv):
    check_error(ingest(srv.port, b""), 400, "an empty body", code="InvalidArgument")


def wrong_content_type(srv):
    marker = tok()
    check_error(ingest(srv.port, line(marker), content_type="application/xml"), 415, "Content-Type: application/xml")
    check_found(srv, marker, 0)


def tenants(srv):
    for bad in ("bad tenant", "a/b", "dot.ted", "x" * 65):
        marker = tok()
        check_error(ingest(srv.port, line(marker), tenant=bad), 400, f"ingest with X-Sawlog-Tenant {bad!r}",
                    code="InvalidArgument")
        check_error(e2e.query_raw(srv.port, marker, tenant=bad), 400, f"query with X-Sawlog-Tenant {bad!r}",
                    code="InvalidArgument")
    good, marker = "Team_A-" + "7" * 57, tok()  # 64 characters: the longest valid name
    check_ingest(ingest(srv.port, line(marker), tenant=good), f"ingest with X-Sawlog-Tenant {good!r}", 1)
    check_found(srv, marker, 1, tenant=good)
    check_found(srv, marker, 0)


def bad_queries(srv):
    for q in ("(foo", "foo AND", '"unterminated', "foo)"):
        err = check_error(e2e.query_raw(srv.port, q), 400, f"query {q!r}", code="InvalidArgument")
        check(re.search(r"column \d+", err["message"]), f"query {q!r}: message {err['message']!r} names no column")
    for params in ({"limit": "abc"}, {"start": "not-a-time"}):
        check_error(e2e.query_raw(srv.port, "foo", **params), 400, f"query 'foo' with {params}", code="InvalidArgument")


def unknown_paths(srv):
    for method, path in (("GET", "/api/v1/nope"), ("GET", "/nope"), ("POST", "/api/v2/ingest")):
        check_error(e2e.request(srv.port, method, path, b"" if method == "POST" else None), 404,
                    f"{method} {path}", code="NotFound")


CASES = [malformed_lines_among_good, all_lines_bad, invalid_utf8, event_over_2mib, single_line_100mb,
         body_over_256mib, compressed_bodies, unknown_encoding, empty_body, wrong_content_type, tenants,
         bad_queries, unknown_paths]


def still_serving(srv) -> None:
    srv.assert_alive()
    marker = tok()
    check_ingest(ingest(srv.port, line(marker)), "a good event", 1)
    check_found(srv, marker, 1)


def run(args, work: str) -> None:
    failures = []
    with e2e.Server(args.sawlog, work) as srv:
        srv.start()
        for case in CASES:
            name = case.__name__
            try:
                case(srv)
                still_serving(srv)
                e2e.log(f"  ok   {name}")
            except (e2e.Failure, OSError, http.client.HTTPException) as e:
                failures.append(f"{name}: {e}")
                e2e.log(f"  FAIL {name}: {e}")
                if srv.proc is None or srv.proc.poll() is not None:
                    failures.append(f"{name}: the server died (status {srv.proc and srv.proc.returncode});"
                                    f" log tail:\n{srv.log_tail()}")
                    srv.kill()
                    srv.start()
        srv.stop()
    check(not failures, f"{len(failures)} of {len(CASES)} cases failed:\n" + "\n".join(failures))


if __name__ == "__main__":
    e2e.main(run, __doc__)
