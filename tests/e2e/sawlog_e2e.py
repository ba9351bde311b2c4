"""Shared helpers for the sawlog end-to-end tests (Python standard library only).

A test script does:

    import os, sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sawlog_e2e as e2e

    def run(args, work):            # work: a fresh temp dir, removed after a pass
                                    # (kept after a failure, or always with SAWLOG_E2E_KEEP=1)
        with e2e.Server(args.sawlog, work) as srv:
            ...                     # e2e.check(...) raises e2e.Failure
    if __name__ == "__main__":
        e2e.main(run, __doc__)

and is run as `python3 test_x.py --sawlog BUILD/sawlog --data-root SHARED/data`.
Exit status: 0 on success, 1 on a failed check (message on stderr), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from typing import Callable, Iterable, Iterator

# ---------------------------------------------------------------------------------------------
# Failures and the test entry point


class Failure(Exception):
    """A check failed; the message says what was expected and what was got."""


def check(cond: object, message: str) -> None:
    if not cond:
        raise Failure(message)


def log(*parts: object) -> None:
    print(*parts, flush=True)


def main(run: Callable[[argparse.Namespace, str], None], doc: str | None,
         add_args: Callable[[argparse.ArgumentParser], None] | None = None) -> None:
    """Parses --sawlog/--data-root (plus add_args), runs run(args, workdir) and exits 0/1."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sawlog", required=True, help="path to the sawlog binary")
    parser.add_argument("--data-root", required=True, help="path to shared/data (read-only)")
    if add_args:
        add_args(parser)
    args = parser.parse_args()
    if not os.access(args.sawlog, os.X_OK):
        parser.error(f"--sawlog {args.sawlog!r} is not an executable file")
    if not os.path.isdir(args.data_root):
        parser.error(f"--data-root {args.data_root!r} is not a directory")
    name = os.path.basename(sys.argv[0])
    keep = bool(os.environ.get("SAWLOG_E2E_KEEP"))
    work = tempfile.mkdtemp(prefix="sawlog-e2e-")
    started = time.monotonic()
    ok = False
    try:
        run(args, work)
        ok = True
    except Failure as e:
        print(f"FAIL {name}: {e}", file=sys.stderr, flush=True)
    except Exception:  # a bug in the test or an unexpected transport error: still a failure
        print(f"FAIL {name}: unexpected exception", file=sys.stderr, flush=True)
        traceback.print_exc()
    finally:
        if keep or not ok:
            log(f"work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if ok:
        log(f"PASS {name} ({time.monotonic() - started:.1f} s)")
    sys.exit(0 if ok else 1)


# ---------------------------------------------------------------------------------------------
# Tokenizer and reference matching (the contract: docs/formats/tokenizer.md)

_TOKEN_RE = re.compile(rb"[A-Za-z0-9_\x80-\xff]+")


def tokenize(text: str | bytes) -> list[bytes]:
    """The case-folded tokens of text: maximal runs of [A-Za-z0-9_] and bytes >= 0x80."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogateescape")
    return [t.lower() for t in _TOKEN_RE.findall(text)]


def contains_phrase(tokens: list[bytes], phrase: list[bytes]) -> bool:
    n = len(phrase)
    if n == 0:
        return False
    first = phrase[0]
    return any(tokens[i] == first and tokens[i:i + n] == phrase for i in range(len(tokens) - n + 1))


def read_lines(path: str) -> list[str]:
    """A text file's events as `sawlog import` defines them: trailing \\r stripped, empty lines skipped."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    for raw in data.split(b"\n"):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if raw:
            out.append(raw.decode("utf-8", "surrogateescape"))
    return out


# ---------------------------------------------------------------------------------------------
# Ports and the server process


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a running process, from /proc (benchmarks' per-core figures)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """One sawlog server over a data dir; restartable; killed on exit from the `with` block.

    Each start gets a fresh port (so a restart never races with the old socket), unless `port`
    is given (a client that must find the server again after a restart, such as `sawlog agent`),
    and its own stderr log file in the work dir; failures include the tail of that log.
    """

    def __init__(self, binary: str, work: str, data_dir: str | None = None, extra_args: Iterable[str] = (),
                 port: int = 0):
        self.fixed_port = port
        self.binary = binary
        self.work = work
        self.data_dir = data_dir or os.path.join(work, "data")
        self.extra_args = list(extra_args)
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0
        self.log_path = ""

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True, timeout: float = 10.0) -> "Server":
        check(self.proc is None, "internal: server already running")
        os.makedirs(self.data_dir, exist_ok=True)
        self.port = self.fixed_port or free_port()
        self.starts += 1
        self.log_path = os.path.join(self.work, f"server-{self.starts}.log")
        cmd = [self.binary, "server", "--data", self.data_dir, "--listen", f"127.0.0.1:{self.port}", *self.extra_args]
        with open(self.log_path, "wb") as logf:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
        if wait:
            self.wait_healthy(timeout)
        return self

    def log_tail(self, n: int = 30) -> str:
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(f"    | {line}" for line in lines[-n:]) or "    | (empty server log)"

    def fail(self, message: str) -> Failure:
        return Failure(f"{message}\n  server log {self.log_path} (tail):\n{self.log_tail()}")

    def wait_healthy(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                code = self.proc.returncode if self.proc else None
                raise self.fail(f"server exited with status {code} before GET /health returned 200")
            try:
                r = request(self.port, "GET", "/health", timeout=2)
                if r.status == 200:
                    return
                last = f"status {r.status} body {r.body[:200]!r}"
            except OSError as e:
                last = repr(e)
            time.sleep(0.05)
        raise self.fail(f"GET /health did not return 200 within {timeout:.0f} s (last: {last})")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; fails if the server does not exit (cleanly) in time."""
        check(self.proc is not None, "internal: server not running")
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise self.fail(f"server did not exit within {timeout:.0f} s of SIGTERM")
        if code != 0:
            raise self.fail(f"server exited with status {code} after SIGTERM (want 0)")
        return code

    def kill(self) -> None:
        """SIGKILL (no chance to flush anything) and reap. No-op when not running."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            proc.wait()

    def assert_alive(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            raise self.fail("server process is not running")
        r = request(self.port, "GET", "/health", timeout=10)
        if r.status != 200:
            raise self.fail(f"GET /health: status {r.status}, want 200")


# ---------------------------------------------------------------------------------------------
# HTTP


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as e:
            raise Failure(f"response body is not JSON ({e}): {self.body[:300]!r}")

    def __repr__(self) -> str:
        return f"<HTTP {self.status} {self.body[:300]!r}>"


def _response(r: http.client.HTTPResponse) -> Response:
    body = r.read()
    return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, body)


def connect(port: int, timeout: float = 60.0) -> http.client.HTTPConnection:
    """A connected HTTPConnection (so a refused connection is told apart from a later failure)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.connect()
    return conn


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 60.0,
            conn: http.client.HTTPConnection | None = None) -> Response:
    """One request on a fresh (or the given, unused) connection; closes it. Transport errors
    (refused, reset, timeout) raise OSError or http.client.HTTPException."""
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        return _response(conn.getresponse())
    finally:
        conn.close()


def ingest_path(params: dict[str, str] | None = None) -> str:
    return "/api/v1/ingest" + ("?" + urllib.parse.urlencode(params) if params else "")


def ndjson(events: Iterable[dict]) -> bytes:
    return b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in events)


def ingest(port: int, body: bytes, content_type: str = "application/x-ndjson", tenant: str | None = None,
           encoding: str | None = None, params: dict[str, str] | None = None, timeout: float = 60.0,
           conn: http.client.HTTPConnection | None = None) -> Response:
    headers = {"Content-Type": content_type}
    if tenant is not None:
        headers["X-Sawlog-Tenant"] = tenant
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    return request(port, "POST", ingest_path(params), body, headers, timeout, conn)


def check_ingest(r: Response, what: str, accepted: int, rejected_lines: Iterable[int] = (),
                 status: int = 200) -> list[dict]:
    """r must be {"accepted":N,"rejected":[{"line":L,"reason":R},...]} with exactly these counts
    and (1-based) rejected line numbers, each with a non-empty reason. Returns the rejected list."""
    check(r.status == status, f"{what}: status {r.status}, want {status}; body {r.body[:300]!r}")
    body = r.json()
    check(isinstance(body, dict) and isinstance(body.get("accepted"), int) and isinstance(body.get("rejected"), list),
          f"{what}: body is not {{\"accepted\":N,\"rejected\":[..]}}: {r.body[:300]!r}")
    rejected = body["rejected"]
    lines = [x.get("line") if isinstance(x, dict) else None for x in rejected]
    check(body["accepted"] == accepted and sorted(lines) == sorted(rejected_lines),
          f"{what}: accepted {body['accepted']}, rejected lines {lines}; want accepted {accepted}, "
          f"rejected lines {sorted(rejected_lines)}; body {r.body[:500]!r}")
    for x in rejected:
        check(isinstance(x.get("reason"), str) and x["reason"], f"{what}: rejected line {x} has no reason")
    return rejected


def query_raw(port: int, q: str, limit: int | None = None, start: str | None = None, end: str | None = None,
              tenant: str | None = None, timeout: float = 120.0) -> Response:
    params = {"q": q}
    for k, v in (("limit", limit), ("start", start), ("end", end)):
        if v is not None:
            params[k] = str(v)
    headers = {"X-Sawlog-Tenant": tenant} if tenant is not None else {}
    return request(port, "GET", "/api/v1/query?" + urllib.parse.urlencode(params), None, headers, timeout)


def query(port: int, q: str, limit: int | None = 1_000_000, **kw) -> list[dict]:
    """Runs a query that must succeed; returns the events (newest first, as the server sent them)."""
    r = query_raw(port, q, limit, **kw)
    check(r.status == 200, f"query {q!r}: status {r.status}, want 200; body {r.body[:300]!r}")
    ctype = r.headers.get("content-type", "")
    check(ctype.split(";")[0].strip() == "application/x-ndjson",
          f"query {q!r}: Content-Type {ctype!r}, want application/x-ndjson")
    events = []
    for n, line in enumerate(r.body.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError as e:
            raise Failure(f"query {q!r}: result line {n} is not JSON ({e}): {line[:200]!r}")
        check(isinstance(ev, dict) and "_time" in ev and "_msg" in ev and "_stream" in ev,
              f"query {q!r}: result line {n} lacks _time/_stream/_msg: {line[:200]!r}")
        events.append(ev)
    return events


_TIME_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{9})Z$")


def parse_time_ns(s: str) -> int:
    """`_time` as the server writes it (RFC 3339, nanoseconds, UTC, Z) -> unix nanoseconds."""
    m = _TIME_RE.match(s)
    check(m, f"_time {s!r} is not RFC 3339 with 9 fractional digits and Z")
    secs = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(secs.timestamp()) * 1_000_000_000 + int(m.group(2))


# The closed set of error codes (src/core/status.h) and the one HTTP status each maps to, for the
# codes these tests provoke.
STATUS_OF_CODE = {"InvalidArgument": 400, "NotFound": 404, "TooLarge": 413, "Unsupported": 415}


def check_error(r: Response, status: int | tuple[int, ...], what: str, code: str | None = None) -> dict:
    """r must be an error with one of the statuses and a body {"error":{"code":C,"message":M}}."""
    statuses = status if isinstance(status, tuple) else (status,)
    check(r.status in statuses, f"{what}: status {r.status}, want {' or '.join(map(str, statuses))}; "
                                f"body {r.body[:300]!r}")
    body = r.json()
    err = body.get("error") if isinstance(body, dict) else None
    check(isinstance(err, dict) and isinstance(err.get("code"), str) and isinstance(err.get("message"), str)
          and err["message"], f"{what}: body is not {{\"error\":{{\"code\":..,\"message\":..}}}}: {r.body[:300]!r}")
    want = code or next((c for c, s in STATUS_OF_CODE.items() if s == r.status), None)
    check(want is None or err["code"] == want, f"{what}: error code {err['code']!r}, want {want!r}")
    return err


def send_streamed(port: int, method: str, path: str, headers: dict[str, str], length: int,
                  chunks: Iterator[bytes], timeout: float = 120.0) -> tuple[Response | None, int, str]:
    """Sends a large body with Content-Length from chunks, stopping early if the server answers
    (or closes) before reading it all. Returns (response or None, bytes sent, transport note)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sent, note = 0, ""
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {length}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "Connection: close\r\n\r\n"
        sock.sendall(head.encode())
        try:
            for chunk in chunks:
                if select.select([sock], [], [], 0)[0]:  # an early answer (or close): stop sending
                    note = "server answered before the body was fully sent"
                    break
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError) as e:
            note = f"sending stopped after {sent} bytes: {e!r}"
        try:
            resp = http.client.HTTPResponse(sock, method=method)
            resp.begin()
            return _response(resp), sent, note
        except (OSError, http.client.HTTPException) as e:
            return None, sent, (note + "; " if note else "") + f"no response: {e!r}"
    finally:
        sock.close()


# ---------------------------------------------------------------------------------------------
# The CLI


def run_cli(binary: str, args: list[str], timeout: float = 120.0) -> subprocess.CompletedProcess:
    """Runs `sawlog ARGS...` (not on a TTY), capturing stdout and stderr."""
    try:
        return subprocess.run([binary, *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"`sawlog {' '.join(args)}` did not finish within {timeout:.0f} s")


# ---------------------------------------------------------------------------------------------
# Real clients: npm packages (tests/e2e/npm, pinned by its package-lock.json) and the protobuf
# messages of proto/ for Debian's python3-protobuf

SKIP = 77  # the exit status ctest reads as "skipped"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NPM_DIR = os.path.join(REPO, "tests", "e2e", "npm")


def npm_ready() -> None:
    """Exits SKIP when node or npm is missing; runs `npm ci` when node_modules is missing or older
    than package-lock.json (the ctest fixture e2e_npm_ci does it before the tests; this also
    serves a test run by hand)."""
    import fcntl
    if not shutil.which("node") or not shutil.which("npm"):
        log("SKIP: node and npm are needed for the npm clients")
        sys.exit(SKIP)
    installed = os.path.join(NPM_DIR, "node_modules", ".package-lock.json")  # written by npm ci
    with open(os.path.join(NPM_DIR, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # tests running at once install once
        if not os.path.exists(installed) or os.path.getmtime(installed) < os.path.getmtime(
                os.path.join(NPM_DIR, "package-lock.json")):
            r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NPM_DIR, capture_output=True, timeout=600)
            check(r.returncode == 0, f"npm ci in {NPM_DIR} failed: {r.stderr.decode()[-2000:]}")


def node_client(script: str, *args: str, timeout: float = 120.0) -> list[dict]:
    """Runs `node tests/e2e/npm/SCRIPT ARGS...`, which must exit 0; returns its stdout's JSON lines."""
    npm_ready()
    try:
        r = subprocess.run(["node", os.path.join(NPM_DIR, script), *args], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"node {script} did not finish within {timeout:.0f} s")
    check(r.returncode == 0, f"node {script} {' '.join(args)}: exit {r.returncode}\n  stdout: "
                             f"{r.stdout.decode()[-1500:]}\n  stderr: {r.stderr.decode()[-1500:]}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def compile_protos(work: str, *protos: str):
    """Compiles proto/PROTO... with protoc for python into work/pb and makes them importable;
    None (after a log line) when protoc or python3-protobuf is missing."""
    try:
        import google.protobuf  # noqa: F401
    except ImportError:
        log("python3-protobuf is missing")
        return None
    if not shutil.which("protoc"):
        log("protoc (protobuf-compiler) is missing")
        return None
    out = os.path.join(work, "pb")
    os.makedirs(out, exist_ok=True)
    r = subprocess.run(["protoc", f"--python_out={out}", "-I", os.path.join(REPO, "proto"), *protos],
                       cwd=os.path.join(REPO, "proto"), capture_output=True)
    check(r.returncode == 0, f"protoc {protos}: {r.stderr.decode()}")
    if out not in sys.path:
        sys.path.insert(0, out)
    return out


def npm_package(name: str) -> str:
    """The directory of the npm package NAME of tests/e2e/npm, installed first when needed
    (npm_ready: exits SKIP without node or npm)."""
    npm_ready()
    path = os.path.join(NPM_DIR, "node_modules", name)
    check(os.path.isdir(path), f"npm package {name} is not in {NPM_DIR}/package.json")
    return path


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, q: str, want: int, timeout: float = 10.0) -> list[dict]:
    """Queries until at least `want` events match (receivers over sockets store asynchronously
    from the sender's point of view); returns the last result."""
    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        rows = query(port, q)
        if len(rows) >= want:
            return rows
        time.sleep(0.05)
    return rows


if __name__ == "__main__":  # `python3 sawlog_e2e.py npm-ci`: the ctest fixture e2e_npm_ci
    if sys.argv[1:] == ["npm-ci"]:
        try:
            npm_ready()
        except Failure as e:  # the tests that need the clients try again and fail with this
            print(f"npm clients not installed: {e}", flush=True)
