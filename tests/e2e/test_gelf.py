"""GELF with a real client, graypy (Debian's python3-graypy): UDP (plain, compressed, and a message
larger than the chunk size, sent in chunks), TCP (NUL-framed) and HTTP (POST /gelf on the API
port, zlib-compressed and labelled "gzip,deflate" as graypy does).

Proves: every message is then found by /api/v1/query with short_message as _msg, the host as the
stream label, the record's creation time as _time (to the digit graypy wrote), the level as a
syslog severity, and graypy's additional fields without their underscore; a datagram that is not
GELF is counted as rejected on /metrics while the receiver keeps working.
"""

from __future__ import annotations

import decimal
import logging
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

try:
    import graypy
    from graypy.handler import GELFWarningChunker
except ImportError:
    graypy = None


def record(msg: str, **extra) -> logging.LogRecord:
    r = logging.getLogger("e2e.gelf").makeRecord("e2e.gelf", logging.WARNING, "test_gelf.py", 1, msg, (), None,
                                                  extra=extra)
    return r


def expected_time(created: float) -> str:
    """graypy writes record.created with json (repr: the shortest exact digits); the server keeps
    those digits, to the nanosecond."""
    ns = int(decimal.Decimal(repr(created)) * 1_000_000_000)
    secs, frac = divmod(ns, 1_000_000_000)
    import datetime
    return datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


def run(args, work):
    if graypy is None:
        e2e.log("graypy is not installed (Debian: python3-graypy)")
        sys.exit(77)
    udp_port, tcp_port = e2e.free_udp_port(), e2e.free_port()
    extra = ["--receive", f"gelf/udp=127.0.0.1:{udp_port}", "--receive", f"gelf/tcp=127.0.0.1:{tcp_port}"]
    with e2e.Server(args.sawlog, work, extra_args=extra) as srv:
        srv.start()
        sent: dict[str, logging.LogRecord] = {}

        def send(handler: logging.Handler, key: str, msg: str, **fields) -> None:
            r = record(msg, case=key, **fields)
            sent[key] = r
            handler.handle(r)

        udp = graypy.GELFUDPHandler("127.0.0.1", udp_port, localname="gelf-e2e", compress=False)
        send(udp, "udp-plain", "plain datagram", user_id=9001)
        udpz = graypy.GELFUDPHandler("127.0.0.1", udp_port, localname="gelf-e2e", compress=True)
        send(udpz, "udp-gzip", "compressed datagram")
        # Random text does not compress: far more than one chunk of 1420 bytes, in order.
        big_text = "big " + os.urandom(12000).hex()
        chunked = graypy.GELFUDPHandler("127.0.0.1", udp_port, localname="gelf-e2e",
                                        gelf_chunker=GELFWarningChunker(chunk_size=1420))
        send(chunked, "udp-chunked", big_text)
        tcp = graypy.GELFTCPHandler("127.0.0.1", tcp_port, localname="gelf-e2e")
        send(tcp, "tcp", "over tcp")
        send(tcp, "tcp-2", "second over tcp")
        tcp.close()
        http = graypy.GELFHTTPHandler("127.0.0.1", srv.port, localname="gelf-e2e", compress=True)
        send(http, "http", "over http")

        rows = e2e.wait_for(srv.port, '_stream:{host="gelf-e2e"}', len(sent))
        by_case = {r.get("case"): r for r in rows}
        check(sorted(by_case) == sorted(sent), f"stored cases {sorted(by_case)}, want {sorted(sent)}")
        for key, r in sent.items():
            got = by_case[key]
            check(got["_msg"] == r.getMessage(), f"{key}: _msg {got['_msg'][:80]!r}, want {r.getMessage()[:80]!r}")
            check(got["_time"] == expected_time(r.created), f"{key}: _time {got['_time']}, want {expected_time(r.created)}")
            check(got["_stream"] == '{host="gelf-e2e"}', f"{key}: _stream {got['_stream']}")
            check(got.get("level") == "4", f"{key}: level {got.get('level')}, want 4 (warning)")
            check(got.get("logger") == "e2e.gelf" or got.get("facility") == "e2e.gelf",
                  f"{key}: graypy's logger name is not a field: {got}")
            check(got.get("file") == "test_gelf.py" and got.get("line") == "1", f"{key}: _file/_line: {got}")
            check("_case" not in got and "version" not in got and "host" not in got and "short_message" not in got,
                  f"{key}: GELF's own names leaked into fields: {sorted(got)}")
        check(by_case["udp-plain"].get("user_id") == "9001", f"extra field: {by_case['udp-plain']}")

        # Not GELF: counted as rejected, and the receiver goes on.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"not gelf at all", ("127.0.0.1", udp_port))
        send(udp, "udp-after", "after the bad datagram")
        e2e.wait_for(srv.port, "case:udp-after", 1)
        metrics = e2e.request(srv.port, "GET", "/metrics").body.decode()
        check('sawlog_rejected_lines_total{receiver="gelf"} 1' in metrics, "the bad datagram is counted on /metrics")
        check('sawlog_ingested_events_total{receiver="gelf"} 7' in metrics, "7 GELF events counted on /metrics")

        # HTTP errors are Graylog-shaped: a status and a text reason.
        r = e2e.request(srv.port, "POST", "/gelf", b'{"host":"h"}', {"Content-Type": "application/json"})
        check(r.status == 400 and b"short_message" in r.body, f"POST /gelf without short_message: {r!r}")
        r = e2e.request(srv.port, "POST", "/gelf", b'{"short_message":"curl"}', {"Content-Type": "application/json"})
        check(r.status == 202, f"POST /gelf: {r!r}, want 202")
        srv.assert_alive()


if __name__ == "__main__":
    e2e.main(run, __doc__)
