"""The Fluentd forward protocol with real clients: Debian's python3-fluent-logger (Message mode,
integer and EventTime times) and npm's fluent-logger with requireAckResponse (Message,
PackedForward and CompressedPackedForward, each event acknowledged), plus the shared-key handshake
with a hand-built client (HELO, PING, PONG) and with fluent-logger's `security` option, and
forward/tls.

Proves: every event is then found by /api/v1/query with the tag as the stream label `tag`, the
record's `message` (or `log`) as _msg, nested maps as dotted fields and the entry's time as _time;
an ack carries the chunk id the client sent; with --forward-shared-key a client with the right key
is answered PONG true with the server's digest and its events stored, one with a wrong key gets
PONG false, is disconnected and stores nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import socket
import ssl
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

try:
    import msgpack
    from fluent import sender as fluent_sender
except ImportError:
    fluent_sender = None

BASE = 1_795_000_000  # 2026-11-18T11:06:40Z

# Sends COUNT events with tag TAG over PORT in MODE and waits for every callback (with
# requireAckResponse, the callback runs once the server's ack for that event's chunk arrived).
NODE_SENDER = r"""
const [port, mode, tag, count, key] = process.argv.slice(1);
const logger = require('fluent-logger');
const options = {host: '127.0.0.1', port: Number(port), timeout: 5, requireAckResponse: true,
                 ackResponseTimeout: 10000, eventMode: mode, flushInterval: 50};
if (key) options.security = {clientHostname: 'node-client', sharedKey: key};
const sender = logger.createFluentSender(tag, options);
let acked = 0;
sender.on('error', (e) => { console.error('sender error: ' + e); process.exit(1); });
setTimeout(() => { console.error('timed out with ' + acked + ' acked'); process.exit(1); }, 20000);
for (let i = 0; i < Number(count); i++) {
  const t = new logger.EventTime(1795000100 + i, 500);
  sender.emit('node', {message: 'node ' + mode + ' ' + i, i: i, nested: {mode: mode}}, t, (err) => {
    if (err) { console.error('emit error: ' + err); process.exit(1); }
    if (++acked === Number(count)) { console.log('acked ' + acked); sender.end(); process.exit(0); }
  });
}
"""


def rfc3339(secs: int, ns: int) -> str:
    t = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{ns:09d}Z"


def node_send(npm_dir: str, port: int, mode: str, tag: str, count: int, key: str = "") -> None:
    env = dict(os.environ, NODE_PATH=os.path.dirname(npm_dir))
    r = subprocess.run(["node", "-e", NODE_SENDER, str(port), mode, tag, str(count), key], env=env,
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and f"acked {count}" in r.stdout,
          f"node fluent-logger {mode}: exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr[-1000:]!r}")


class HandBuilt:
    """A forward client with the shared-key handshake, which fluent-logger for Python lacks."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.unpacker = msgpack.Unpacker(raw=False)

    def read(self):
        while True:
            for obj in self.unpacker:
                return obj
            data = self.sock.recv(65536)
            if not data:
                return None
            self.unpacker.feed(data)

    def handshake(self, key: str, hostname: str = "py-client"):
        helo = self.read()
        check(isinstance(helo, list) and helo[0] == "HELO" and isinstance(helo[1].get("nonce"), (str, bytes)),
              f"HELO: {helo!r}")
        nonce = helo[1]["nonce"]
        nonce = nonce.encode() if isinstance(nonce, str) else nonce
        salt = os.urandom(8).hex().encode()
        digest = hashlib.sha512(salt + hostname.encode() + nonce + key.encode()).hexdigest()
        self.sock.sendall(msgpack.packb(["PING", hostname, salt.decode(), digest, "", ""]))
        return self.read(), salt, nonce


def run(args, work):
    if fluent_sender is None:
        e2e.log("fluent-logger for Python is not installed (Debian: python3-fluent-logger)")
        sys.exit(77)
    npm_dir = e2e.npm_package("fluent-logger")
    if npm_dir is None:
        e2e.log("npm's fluent-logger is not available")
        sys.exit(77)

    port = e2e.free_port()
    with e2e.Server(args.sawlog, work, extra_args=["--receive", f"forward/tcp=127.0.0.1:{port}"]) as srv:
        srv.start()
        # Python: Message mode, an EventTime and an integer time, no acks.
        py = fluent_sender.FluentSender("py", host="127.0.0.1", port=port, nanosecond_precision=True)
        check(py.emit_with_time("web", BASE + 0.25, {"message": "from python", "http": {"status": 200}, "ok": True}),
              f"python emit: {py.last_error!r}")
        py_int = fluent_sender.FluentSender("py", host="127.0.0.1", port=port)
        check(py_int.emit_with_time("web", BASE + 1, {"log": "integer time", "n": 7}), f"emit: {py_int.last_error!r}")
        py.close()
        py_int.close()
        rows = e2e.wait_for(srv.port, '_stream:{tag="py.web"}', 2)
        check(len(rows) == 2, f"python events: {rows}")
        second, first = rows
        check(first["_msg"] == "from python" and first["_time"] == "2026-11-18T11:06:40.250000000Z"
              and first.get("http.status") == "200" and first.get("ok") == "true", f"EventTime event: {first}")
        check(second["_msg"] == "integer time" and second["_time"] == "2026-11-18T11:06:41.000000000Z"
              and second.get("n") == "7" and "log" not in second, f"integer-time event: {second}")

        # npm fluent-logger: each mode, every event acknowledged after it is stored.
        for mode, n in (("Message", 3), ("PackedForward", 40), ("CompressedPackedForward", 40)):
            node_send(npm_dir, port, mode, "js", n)
            rows = e2e.query(srv.port, f'_stream:{{tag="js.node"}} AND nested.mode:{mode}')
            check(len(rows) == n, f"{mode}: {len(rows)} events stored after {n} acks")
            last = max(rows, key=lambda r: int(r["i"]))
            check(last["_msg"] == f"node {mode} {n - 1}" and last["_time"] == rfc3339(1795000100 + n - 1, 500),
                  f"{mode}: last event {last}")
        metrics = e2e.request(srv.port, "GET", "/metrics").body.decode()
        check('sawlog_ingested_events_total{receiver="forward"} 85' in metrics, "85 forward events on /metrics")

    # The shared-key handshake.
    key = "e2e-shared-key"
    port = e2e.free_port()
    extra = ["--receive", f"forward/tcp=127.0.0.1:{port}", "--forward-shared-key", key]
    with e2e.Server(args.sawlog, os.path.join(work, "keyed"), extra_args=extra) as srv:
        os.makedirs(srv.work, exist_ok=True)
        srv.start()
        c = HandBuilt(port)
        pong, salt, nonce = c.handshake(key)
        check(isinstance(pong, list) and len(pong) == 5 and pong[0] == "PONG" and pong[1] is True, f"PONG: {pong!r}")
        server_name = pong[3]
        want = hashlib.sha512(salt + server_name.encode() + nonce + key.encode()).hexdigest()
        check(pong[4] == want, f"PONG digest {pong[4]!r}, want sha512(salt + {server_name!r} + nonce + key)")
        c.sock.sendall(msgpack.packb(["auth.ok", [[BASE, {"message": "authenticated"}]], {"chunk": "c-1"}]))
        ack = c.read()
        check(ack == {"ack": "c-1"}, f"ack: {ack!r}")
        c.sock.close()

        bad = HandBuilt(port)
        pong, _, _ = bad.handshake("wrong key")
        check(isinstance(pong, list) and pong[0] == "PONG" and pong[1] is False and "shared key" in pong[2],
              f"PONG for a wrong key: {pong!r}")
        try:
            bad.sock.sendall(msgpack.packb(["auth.bad", BASE, {"message": "must not be stored"}]))
            closed = bad.read() is None
        except OSError:
            closed = True
        check(closed, "the server keeps a connection that failed the handshake open")
        node_send(npm_dir, port, "Message", "jskey", 2, key)
        check([r["_msg"] for r in e2e.query(srv.port, '_stream:{tag="auth.ok"}')] == ["authenticated"],
              "the authenticated client's event is stored")
        check(len(e2e.query(srv.port, '_stream:{tag="jskey.node"}')) == 2, "fluent-logger's events with security are stored")
        check(e2e.query(srv.port, '_stream:{tag="auth.bad"}') == [], "the unauthenticated event is not stored")

    # forward/tls: the same protocol inside TLS (a throw-away self-signed certificate).
    cert, key_file = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                        "-keyout", key_file, "-out", cert], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"openssl req: {r.stderr[-500:]}")
    port = e2e.free_port()
    extra = ["--receive", f"forward/tls=127.0.0.1:{port}", "--tls-cert", cert, "--tls-key", key_file]
    with e2e.Server(args.sawlog, os.path.join(work, "tls"), extra_args=extra) as srv:
        os.makedirs(srv.work, exist_ok=True)
        srv.start()
        ctx = ssl.create_default_context(cafile=cert)
        ctx.check_hostname = False
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10)) as s:
            s.sendall(msgpack.packb(["tls.app", BASE, {"message": "over tls"}, {"chunk": "t-1"}]))
            check(msgpack.unpackb(s.recv(100), raw=False) == {"ack": "t-1"}, "ack over TLS")
        check([r["_msg"] for r in e2e.query(srv.port, '_stream:{tag="tls.app"}')] == ["over tls"], "event over TLS stored")


if __name__ == "__main__":
    e2e.main(run, __doc__)
