"""A pipeline configured with `sawlog server --config` shapes what the native endpoint stores.

Proves, with the 10,000 real lines of access/apache_combined_10k.log sent as text/plain:
  * the ingest response counts what the pipeline dropped (`dropped`) apart from what it stored
    (`accepted`), and the dropped events (status 404) are not stored;
  * every stored event carries exactly the fields a reference regex parse of its line gives (ECS
    names), its own time from the line, `_ingest_time`-independent `time_flag=past`, the static
    field, and the user-agent family of its line;
  * `redact` masked every e-mail address of the lines that had one, and nothing else;
  * events matching a `route` filter are stored in the routed tenant, not the request's;
  * `sawlog pipeline test` shows the same result for a line, and the server refuses to start on
    a bad configuration, naming file:line:column.
"""

from __future__ import annotations

import os
import re
import sys
import json
import subprocess
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

CONFIG = r"""
pipelines:
  web:
    - parse: {format: apache_combined}
    - drop: {if: 'http.response.status_code:404'}
    - redact: {fields: [_msg, url.original], builtin: [email]}
    - user_agent: {}
    - set: {fields: {pipeline: web}}
    - route: {if: 'http.request.method:POST OR http.request.method:OPTIONS', tenant: writes}
receivers:
  native: {pipeline: web}
"""

# The reference parse of the Combined Log Format, with the ECS names of docs/parsers.md.
LINE_RE = re.compile(r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "(\S+) (\S+) HTTP/([0-9.]+)" (\d{3}) (\S+) '
                     r'"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$')
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# Lines with e-mail addresses in the URL (the real data has them only in user agents).
EXTRA = [
    '10.1.2.3 - - [17/May/2015:12:00:00 +0000] "GET /unsubscribe?to=ann.lee@example.org HTTP/1.1" 200 12 "-" "curl/7.1"',
    '10.1.2.4 - - [17/May/2015:12:00:01 +0000] "GET /u/bob+x@mail.example.com/profile HTTP/1.1" 200 99 "-" "Wget/1.20"',
]


def expected_fields(line: str) -> dict[str, str] | None:
    m = LINE_RE.match(line)
    if not m:
        return None
    addr, ident, user, _, method, url, version, status, size, referrer, agent = m.groups()
    f = {"client.address": addr, "ident": ident, "user.name": user, "http.request.method": method,
         "url.original": url, "http.version": version, "http.response.status_code": status,
         "http.response.body.bytes": size, "http.request.referrer": referrer, "user_agent.original": agent}
    return {k: v for k, v in f.items() if v != "-"}


def line_time(line: str) -> str:
    stamp = line.split("[", 1)[1].split("]", 1)[0]
    t = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z")
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000000000Z")


def run(args, work: str) -> None:
    lines = e2e.read_lines(os.path.join(args.data_root, "access", "apache_combined_10k.log")) + EXTRA
    config = os.path.join(work, "sawlog.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)

    parsed = {ln: expected_fields(ln) for ln in lines}
    check(sum(p is not None for p in parsed.values()) >= 9_900, "the reference regex parses too few lines")
    status = {ln: (p or {}).get("http.response.status_code") for ln, p in parsed.items()}
    dropped = [ln for ln in lines if status[ln] == "404"]
    kept = [ln for ln in lines if status[ln] != "404"]
    routed = [ln for ln in kept if (parsed[ln] or {}).get("http.request.method") in ("POST", "OPTIONS")]
    check(len(dropped) > 100 and len(routed) > 0, f"data: {len(dropped)} 404s, {len(routed)} POST/OPTIONS")

    # `pipeline test` on one line that is dropped and one that is kept.
    probe = os.path.join(work, "probe.log")
    with open(probe, "w") as f:
        f.write(dropped[0] + "\n" + EXTRA[0] + "\n")
    r = subprocess.run([args.sawlog, "pipeline", "test", config, "--format", "json"], stdin=open(probe),
                           capture_output=True, timeout=60)
    check(r.returncode == 0, f"pipeline test: exit {r.returncode}, stderr {r.stderr[:300]!r}")
    out = [json.loads(x) for x in r.stdout.splitlines()]
    check(len(out) == 2 and out[0]["dropped_by"] == f"drop at {config}:5:7" and out[1]["dropped_by"] is None,
          f"pipeline test output: {r.stdout[:600]!r}")
    check(out[1]["event"]["url.original"] == "/unsubscribe?to=[REDACTED]", f"pipeline test: {out[1]}")

    # A bad configuration: the server does not start, and says where.
    bad = os.path.join(work, "bad.yaml")
    with open(bad, "w") as f:
        f.write("pipelines:\n  web:\n    - drop: {iff: x}\n")
    r = e2e.run_cli(args.sawlog, ["server", "--data", os.path.join(work, "bad-data"), "--listen", "127.0.0.1:0",
                                  "--config", bad], timeout=30)
    check(r.returncode == 2 and f"{bad}:3:14: drop: unknown option 'iff'".encode() in r.stderr,
          f"server with a bad config: exit {r.returncode}, stderr {r.stderr[:300]!r}")

    with e2e.Server(args.sawlog, work, extra_args=["--config", config]) as srv:
        srv.start()
        body = "".join(ln + "\n" for ln in lines).encode()
        resp = e2e.ingest(srv.port, body, content_type="text/plain")
        check(resp.status == 200, f"ingest: status {resp.status}, body {resp.body[:300]!r}")
        got = resp.json()
        check(got.get("accepted") == len(kept) and got.get("dropped") == len(dropped) and got["rejected_count"] == 0,
              f"ingest: {got}, want accepted {len(kept)}, dropped {len(dropped)}")

        stored = e2e.query(srv.port, "*")
        writes = e2e.query(srv.port, "*", tenant="writes")
        check(len(stored) == len(kept) - len(routed), f"default tenant: {len(stored)} events, want {len(kept) - len(routed)}")
        check(sorted(e["_msg"] for e in writes) == sorted(routed), f"tenant writes: {len(writes)} events, want {len(routed)}")
        check(e2e.query(srv.port, "http.response.status_code:404") == [], "a dropped (404) event was stored")

        by_msg: dict[str, list[dict]] = {}
        for ev in stored + writes:
            by_msg.setdefault(ev["_msg"], []).append(ev)
        masked = 0
        for ln in kept:
            msg = EMAIL_RE.sub("[REDACTED]", ln)
            masked += msg != ln
            check(by_msg.get(msg), f"line not stored (as {msg[:120]!r})")
            ev = by_msg[msg].pop()
            want = parsed[ln]
            if want is None:
                check("parse_error" in ev, f"unparsable line stored without parse_error: {ev}")
                continue
            for k, v in want.items():
                v = EMAIL_RE.sub("[REDACTED]", v) if k == "url.original" else v
                check(ev.get(k) == v, f"{k}: {ev.get(k)!r}, want {v!r}, line {ln[:150]!r}")
            check(ev["_time"] == line_time(ln), f"_time {ev['_time']}, want {line_time(ln)}, line {ln[:100]!r}")
            check(ev.get("pipeline") == "web" and ev.get("time_flag") == "past" and "parse_error" not in ev,
                  f"static field / time flag / parse error: {ev}")
            ua = want.get("user_agent.original", "")
            if "Googlebot" in ua:
                check(ev.get("user_agent.name") == "Googlebot" and ev.get("user_agent.device.name") == "Spider",
                      f"Googlebot UA: {ev}")
            elif "Firefox/" in ua and not re.search(r"bot|spider|crawler", ua, re.I):  # crawlers pose as Firefox
                check(ev.get("user_agent.name") == "Firefox", f"Firefox UA: {ev.get('user_agent.name')} for {ua!r}")
        # The real lines have some too (crawlers' contact addresses in the user agent).
        check(masked >= len(EXTRA), f"{masked} lines had e-mail addresses masked, want at least {len(EXTRA)}")
        check(len(e2e.query(srv.port, "redacted")) == masked, "query 'redacted' finds other than the masked lines")
        check(e2e.query(srv.port, '"example.org"') == [], "an e-mail address was stored unmasked")
        srv.stop()


if __name__ == "__main__":
    e2e.main(run, __doc__)
