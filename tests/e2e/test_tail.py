"""Live tail: matching events reach /api/v1/tail and `sawlog tail` within a second.

Opens a tail over HTTP (Server-Sent Events) and one with the `sawlog tail` command, then ingests
batches of real Loghub lines in which a few carry a unique token; checks that exactly the matching
events arrive (none of the others), each within 1 s of its acknowledgement, for the right tenant
only, and that a query with pipes is refused with 400.
"""

from __future__ import annotations

import http.client
import json
import os
import select
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402


class SseReader:
    def __init__(self, port: int, q: str, tenant: str | None = None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"X-Sawlog-Tenant": tenant} if tenant else {}
        self.conn.request("GET", "/api/v1/tail?" + urllib.parse.urlencode({"q": q}), headers=headers)
        self.resp = self.conn.getresponse()
        check(self.resp.status == 200, f"tail {q!r}: status {self.resp.status}")
        check(self.resp.getheader("Content-Type", "").startswith("text/event-stream"), "tail: not an event stream")
        self.buf = b""

    def events(self, until: float) -> list[dict]:
        """Events that arrive before the monotonic time `until`."""
        out = []
        fd = self.resp.fp.fileno()
        while time.monotonic() < until:
            r, _, _ = select.select([fd], [], [], max(0.0, until - time.monotonic()))
            if not r:
                break
            chunk = self.resp.read1(65536)
            if not chunk:
                break
            self.buf += chunk
            while b"\n\n" in self.buf:
                event, self.buf = self.buf.split(b"\n\n", 1)
                if event.startswith(b"data: "):
                    out.append(json.loads(event[6:]))
        return out


def run(args, work: str) -> None:
    lines = e2e.read_lines(os.path.join(args.data_root, "loghub", "OpenSSH", "OpenSSH_2k.log"))[:400]
    with e2e.Server(args.sawlog, work) as s:
        s.start()
        bad = e2e.request(s.port, "GET", "/api/v1/tail?q=" + urllib.parse.quote("* | stats count()"))
        check(bad.status == 400, f"tail with pipes: status {bad.status}")
        sse = SseReader(s.port, "tailtok7 service:ssh")
        other_tenant = SseReader(s.port, "tailtok7", tenant="other")
        cli = subprocess.Popen([args.sawlog, "tail", "--server", s.url, "--format", "json", "tailtok7"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)  # the command connects
        want = []
        for batch in range(5):
            events = []
            for i, line in enumerate(lines[batch * 80:(batch + 1) * 80]):
                e = {"_msg": line, "service": "ssh" if i % 2 else "other", "n": f"{batch}-{i}"}
                if i % 20 == 1:
                    e["_msg"] += " tailtok7"
                    want.append(e["n"])
                events.append(e)
            acked = time.monotonic()
            e2e.check_ingest(e2e.ingest(s.port, e2e.ndjson(events)), f"batch {batch}", len(events))
            got = sse.events(acked + 1.0)
            check([g["n"] for g in got] == want[len(want) - len(got):] and len(got) == 4,
                  f"batch {batch}: the tail got {[g['n'] for g in got]} within 1 s, want the last 4 of {want}")
        check(other_tenant.events(time.monotonic() + 0.5) == [], "another tenant's tail saw these events")
        time.sleep(0.5)
        cli.terminate()
        out, err = cli.communicate(timeout=10)
        got = [json.loads(x)["n"] for x in out.decode().splitlines() if x.strip()]
        every = [f"{b}-{i}" for b in range(5) for i in range(80) if i % 20 == 1]
        check(got == every, f"`sawlog tail` printed {got}, want {every}; stderr {err[:300]!r}")


if __name__ == "__main__":
    e2e.main(run, __doc__)
