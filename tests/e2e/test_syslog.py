"""The syslog receivers (`--receive syslog/udp`, `syslog/tcp`, `syslog/tls`) with real senders.

Proves: util-linux logger(1) over UDP and TCP, RFC 5424 and RFC 3164, newline and octet-counted
framing, and Debian's rsyslogd forwarding with omfwd over UDP (traditional format), TCP
(RFC 5424, octet-counted) and TLS (gtls, RFC 5424, newline-framed) all deliver messages that a
query then finds with their hostname, app_name, proc_id, msg_id, facility, severity, structured
data and _time; a frame that is not syslog is counted as rejected and the connection goes on.
Skips (77) when rsyslogd is not installed.
"""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

RSYSLOGD = shutil.which("rsyslogd") or ("/usr/sbin/rsyslogd" if os.path.exists("/usr/sbin/rsyslogd") else None)


def wait_one(port: int, token: str, timeout: float = 15.0) -> dict:
    """The one event whose message holds token, once it is stored."""
    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        rows = e2e.query(port, token)
        if rows:
            break
        time.sleep(0.1)
    check(len(rows) == 1, f"{token}: want 1 event, found {len(rows)}: {rows}")
    return rows[0]


def check_fields(ev: dict, want: dict, what: str) -> None:
    for k, v in want.items():
        check(ev.get(k) == v, f"{what}: {k} = {ev.get(k)!r}, want {v!r}; event {ev}")


def check_time_near(ev: dict, sent_ns: int, what: str, slack_s: float = 5.0) -> None:
    t = e2e.parse_time_ns(ev["_time"])
    check(abs(t - sent_ns) < slack_s * 1e9, f"{what}: _time {ev['_time']} is not the send time")


def make_cert(work: str) -> tuple[str, str]:
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def logger_cases(srv: e2e.Server, udp: int, tcp: int) -> None:
    env = dict(os.environ, TZ="UTC")
    cases = [
        ("udp", ["--udp", "--port", str(udp), "--rfc5424"], "tokloggerudpfive"),
        ("udp", ["--udp", "--port", str(udp), "--rfc3164"], "tokloggerudpbsd"),
        ("tcp", ["--tcp", "--port", str(tcp), "--rfc5424"], "tokloggertcpfive"),
        ("tcp", ["--tcp", "--port", str(tcp), "--rfc5424", "--octet-count"], "tokloggertcpoctet"),
        ("tcp", ["--tcp", "--port", str(tcp), "--rfc3164"], "tokloggertcpbsd"),
    ]
    for _, flags, token in cases:
        rfc5424 = "--rfc5424" in flags
        extra = ["--msgid", "ID7", "--sd-id", "meta@32473", "--sd-param", 'run="e2e"'] if rfc5424 else []
        sent = time.time_ns()
        subprocess.run(["logger", "--server", "127.0.0.1", *flags, "-t", "e2eapp", "--id=4711", "-p", "local3.warning", *extra,
                        f"hello from logger {token}"], check=True, env=env, timeout=30)
        ev = wait_one(srv.port, token)
        what = f"logger {' '.join(flags)}"
        check(ev["_msg"] == f"hello from logger {token}", f"{what}: _msg {ev['_msg']!r}")
        check_fields(ev, {"app_name": "e2eapp", "proc_id": "4711", "facility": "local3", "severity": "warning", "priority": "156"}, what)
        check(ev.get("hostname"), f"{what}: no hostname: {ev}")
        check("app_name=\"e2eapp\"" in ev["_stream"], f"{what}: stream {ev['_stream']}")
        # RFC 3164 has whole seconds and no zone (logger writes local time: TZ=UTC here).
        check_time_near(ev, sent, what)
        if rfc5424:
            check_fields(ev, {"msg_id": "ID7", "sd.meta@32473.run": "e2e"}, what)


def rsyslog_cases(srv: e2e.Server, work: str, udp: int, tcp: int, tls: int, cert: str) -> None:
    rdir = os.path.join(work, "rsyslog")
    os.makedirs(rdir, exist_ok=True)
    inport = e2e.free_port()
    conf = os.path.join(rdir, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(f"""
global(workDirectory="{rdir}" defaultNetstreamDriverCAFile="{cert}")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="{inport}" ruleset="forward")
ruleset(name="forward") {{
  if $msg contains "viaudp" then
    action(type="omfwd" target="127.0.0.1" port="{udp}" protocol="udp" template="RSYSLOG_TraditionalForwardFormat")
  if $msg contains "viatcp" then
    action(type="omfwd" target="127.0.0.1" port="{tcp}" protocol="tcp" tcp_framing="octet-counted"
           template="RSYSLOG_SyslogProtocol23Format")
  if $msg contains "viatls" then
    action(type="omfwd" target="127.0.0.1" port="{tls}" protocol="tcp" streamDriver="gtls" streamDriverMode="1"
           streamDriverAuthMode="anon" template="RSYSLOG_SyslogProtocol23Format")
}}
""")
    check(subprocess.run([RSYSLOGD, "-N1", "-f", conf], capture_output=True, text=True, timeout=30).returncode == 0,
          "rsyslogd -N1 refuses the test configuration")
    log = open(os.path.join(rdir, "rsyslogd.log"), "wb")
    proc = subprocess.Popen([RSYSLOGD, "-n", "-f", conf, "-i", os.path.join(rdir, "rsyslogd.pid")],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                sender = socket.create_connection(("127.0.0.1", inport), timeout=5)
                break
            except OSError:
                check(proc.poll() is None and time.monotonic() < deadline,
                      f"rsyslogd did not start listening (exit {proc.poll()})")
                time.sleep(0.1)
        # A time an hour ago, to the microsecond, which each format carries as far as it can.
        t = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=123456) - datetime.timedelta(hours=1)
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with sender:
            for route in ("udp", "tcp", "tls"):
                sender.sendall(f'<165>1 {stamp} srchost-{route} shipper 4242 MSG{route} [origin@1 route="{route}"] '
                               f'forwarded via{route} tokrsyslog{route}\n'.encode())
        for route in ("udp", "tcp", "tls"):
            what = f"rsyslog omfwd {route}"
            ev = wait_one(srv.port, f"tokrsyslog{route}", timeout=20)
            check(ev["_msg"] == f"forwarded via{route} tokrsyslog{route}", f"{what}: _msg {ev['_msg']!r}")
            check_fields(ev, {"hostname": f"srchost-{route}", "app_name": "shipper", "proc_id": "4242",
                              "facility": "local4", "severity": "notice"}, what)
            want_time = e2e.parse_time_ns(t.strftime("%Y-%m-%dT%H:%M:%S.%f000Z"))
            got_time = e2e.parse_time_ns(ev["_time"])
            if route == "udp":  # the traditional format: whole seconds, no year, no zone
                check(got_time == want_time - 123456000, f"{what}: _time {ev['_time']}, sent {stamp}")
            else:
                check(got_time == want_time, f"{what}: _time {ev['_time']}, sent {stamp}")
                check_fields(ev, {"msg_id": f"MSG{route}", "sd.origin@1.route": route}, what)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def bad_frame_case(srv: e2e.Server, tcp: int) -> None:
    with socket.create_connection(("127.0.0.1", tcp)) as s:
        s.sendall(b"<abc>not syslog\n<13>1 - h app - - - tokafterbadframe\n")
    ev = wait_one(srv.port, "tokafterbadframe")
    check(ev["hostname"] == "h", f"after a bad frame: {ev}")
    metrics = e2e.request(srv.port, "GET", "/metrics").body.decode()
    check('sawlog_rejected_lines_total{receiver="syslog"} 1' in metrics,
          "the bad frame is counted: " + "\n".join(l for l in metrics.splitlines() if "rejected" in l))


def run(args, work):
    if RSYSLOGD is None:
        print("rsyslogd is not installed (Debian: rsyslog, rsyslog-gnutls)")
        sys.exit(77)
    cert, key = make_cert(work)
    udp, tcp, tls = e2e.free_port(), e2e.free_port(), e2e.free_port()
    extra = ["--receive", f"syslog/udp=127.0.0.1:{udp}", "--receive", f"syslog/tcp=127.0.0.1:{tcp}",
             "--receive", f"syslog/tls=127.0.0.1:{tls}", "--tls-cert", cert, "--tls-key", key]
    with e2e.Server(args.sawlog, work, extra_args=extra) as srv:
        srv.start()
        logger_cases(srv, udp, tcp)
        rsyslog_cases(srv, work, udp, tcp, tls, cert)
        bad_frame_case(srv, tcp)
        srv.assert_alive()


if __name__ == "__main__":
    e2e.main(run, __doc__)
