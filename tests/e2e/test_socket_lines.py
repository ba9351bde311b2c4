"""The socket listeners, through the plain-lines receiver (`--receive lines/tcp=HOST:PORT`).

Proves: lines sent over TCP are stored and found by a query (JSON lines with their fields and
_time, text lines as _msg), a line split across writes is joined, an unterminated last line is
stored when the sender closes, many connections at once lose nothing, a connection is answered
and a
bad --receive value stops the server with a message naming it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402


def wait_count(port: int, q: str, want: int, timeout: float = 10.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        rows = e2e.query(port, q)
        if len(rows) >= want:
            return rows
        time.sleep(0.1)
    return rows


def run(args, work):
    lines_port = e2e.free_port()
    with e2e.Server(args.sawlog, work, extra_args=["--receive", f"lines/tcp=127.0.0.1:{lines_port}"]) as srv:
        srv.start()
        with socket.create_connection(("127.0.0.1", lines_port)) as s:
            s.sendall(b'{"_msg":"json line one","_time":"2026-11-20T10:00:00Z","app":"checkout","n":7}\n')
            s.sendall(b"plain text line two\r\n")
            s.sendall(b"split li")
            time.sleep(0.2)
            s.sendall(b"ne three\n{not json, kept as text\n")
            s.sendall(b"unterminated four")
        rows = wait_count(srv.port, "_time:[2000-01-01, 2100-01-01)", 5)
        msgs = sorted(r["_msg"] for r in rows)
        check(msgs == sorted(["json line one", "plain text line two", "split line three", "{not json, kept as text",
                              "unterminated four"]), f"stored lines: {msgs}")
        one = [r for r in rows if r["_msg"] == "json line one"][0]
        check(one.get("app") == "checkout" and one.get("n") == "7", f"JSON fields: {one}")
        check(one["_time"].startswith("2026-11-20T10:00:00"), f"JSON _time: {one['_time']}")

        # Many senders at once: every line arrives.
        def sender(k: int) -> None:
            with socket.create_connection(("127.0.0.1", lines_port)) as s:
                s.sendall("".join(f"bulk sender{k} line{i}\n" for i in range(2000)).encode())

        threads = [threading.Thread(target=sender, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rows = wait_count(srv.port, "bulk", 16000)
        check(len(rows) == 16000, f"8 senders × 2000 lines: found {len(rows)}")
        metrics = e2e.request(srv.port, "GET", "/metrics").body.decode()
        check('sawlog_ingested_events_total{receiver="lines"}' in metrics, "lines counted on /metrics")

    # A bad --receive value is refused at start, naming it.
    for value, words in [("nosuch/tcp", "unknown receiver"), ("lines/tcp=127.0.0.1:99999", "bad port"),
                         ("lines/tcp=nohost:1", "not an IP address")]:
        r = subprocess.run([args.sawlog, "server", "--data", os.path.join(work, "d2"), "--listen", "127.0.0.1:0",
                            "--receive", value], capture_output=True, text=True, timeout=20)
        check(r.returncode != 0 and value in r.stderr and words in r.stderr,
              f"--receive {value}: exit {r.returncode}, stderr {r.stderr!r}")


if __name__ == "__main__":
    e2e.main(run, __doc__)
