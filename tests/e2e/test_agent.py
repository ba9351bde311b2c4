"""`sawlog agent` against a real `sawlog server`: a hung server first (taking connections, never
answering), two inputs with their own pipelines, rotation by rename and by copytruncate, the server
stopped and restarted, the agent SIGKILLed and restarted, and a job piping into a stdin input.

Every line written carries a unique id; after each phase the test polls the server until every
id written so far is there, then checks that none is missing and none doubled (the agent is
at-least-once: a crash between the server's acknowledgement and the agent's state write may
resend one batch, so the outage and kill phases allow a bounded number of repeats and print it).
"""

from __future__ import annotations

import collections
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402

# Repeats tolerated per crash (docs/agent.md): two batches, one read again because its checkpoint
# was not saved, one sent again because its acknowledgement was not recorded. A batch holds at
# most BATCH_BYTES of lines (the config below), and no line here is shorter than api_line("k0").
BATCH_BYTES = 16 * 1024
MAX_REPEATS = 2 * (BATCH_BYTES // 65 + 1)


class Agent:
    def __init__(self, binary: str, work: str, config: str):
        self.binary, self.work, self.config = binary, work, config
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.log_path = ""

    def start(self) -> None:
        self.starts += 1
        self.log_path = os.path.join(self.work, f"agent-{self.starts}.log")
        with open(self.log_path, "wb") as logf:
            self.proc = subprocess.Popen([self.binary, "agent", "--config", self.config], stdin=subprocess.DEVNULL,
                                         stdout=logf, stderr=subprocess.STDOUT)

    def log(self) -> str:
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        proc, self.proc = self.proc, None
        if proc is None:
            return 0
        proc.send_signal(sig)
        try:
            return proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise e2e.Failure(f"agent did not exit within 30 s of signal {sig}\n{self.log()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL and reap, so a failed test leaves no agent behind. No-op when not running."""
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.kill()
            proc.wait()

    def assert_alive(self) -> None:
        e2e.check(self.proc is not None and self.proc.poll() is None, f"the agent exited:\n{self.log()[-3000:]}")


def ids(port: int, service: str) -> collections.Counter:
    rows = e2e.query(port, f'_stream:{{service="{service}"}}')
    return collections.Counter(r.get("id", "?") for r in rows)


def wait_ids(srv: e2e.Server, agent: Agent, service: str, want: set[str], what: str,
             max_repeats: int = 0, timeout: float = 90.0) -> collections.Counter:
    deadline = time.monotonic() + timeout
    got: collections.Counter = collections.Counter()
    while time.monotonic() < deadline:
        got = ids(srv.port, service)
        if want <= set(got):
            break
        agent.assert_alive()
        time.sleep(0.2)
    missing = want - set(got)
    e2e.check(not missing, f"{what}: {len(missing)} of {len(want)} lines never arrived, e.g. {sorted(missing)[:5]}\n"
                           f"agent log:\n{agent.log()[-3000:]}")
    unknown = set(got) - want
    e2e.check(not unknown, f"{what}: ids that were never written: {sorted(unknown)[:5]}")
    repeats = sum(n - 1 for n in got.values())
    e2e.check(repeats <= max_repeats, f"{what}: {repeats} lines arrived more than once (allowed {max_repeats}), "
                                      f"e.g. {[k for k, n in got.items() if n > 1][:5]}")
    e2e.log(f"{what}: {len(want)} lines, {repeats} repeated")
    return got


def wait_log(agent: Agent, text: str, times: int, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while agent.log().count(text) < times and time.monotonic() < deadline:
        agent.assert_alive()
        time.sleep(0.1)
    e2e.check(agent.log().count(text) >= times, f"{what} ('{text}' {times} times in its log):\n{agent.log()[-2000:]}")


def api_line(i: str) -> str:
    return f'{{"id":"{i}","level":"info","message":"payment {i} done","amount":{len(i)}}}\n'


def worker_line(i: str) -> str:
    return f"2026-11-20T10:00:01.250Z warn id={i} job {i} was slow\n"


def write(path: str, lines: list[str]) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.writelines(lines)


def run(args, work: str) -> None:
    logs_api = os.path.join(work, "logs", "api")
    logs_worker = os.path.join(work, "logs", "worker")
    os.makedirs(logs_api)
    os.makedirs(logs_worker)
    api, worker = os.path.join(logs_api, "app.log"), os.path.join(logs_worker, "w.log")
    port = e2e.free_port()
    config = os.path.join(work, "agent.yaml")
    with open(config, "w") as f:
        f.write(f"""server: http://127.0.0.1:{port}
data_dir: {work}/agent-state
batch_size: {BATCH_BYTES}
partial_line_timeout: 1s
request_timeout: 1s
inputs:
  - name: api
    paths: ["{logs_api}/*.log"]
    exclude: ["*-debug.log"]
    labels: {{service: api}}
    pipeline:
      - parse: {{format: json}}
      - set: {{fields: {{team: payments}}}}
  - name: worker
    paths: ["{logs_worker}/*.log"]
    labels: {{service: worker}}
    pipeline:
      - parse:
          format: regex
          options:
            pattern: '^(?P<ts>\\S+) (?P<level>\\w+) id=(?P<id>\\S+) (?P<text>.*)$'
            time_field: ts
            msg_field: text
""")
    check = e2e.run_cli(args.sawlog, ["agent", "--config", config, "--check"])
    e2e.check(check.returncode == 0, f"agent --check: {check.stderr.decode()}")
    bad = os.path.join(work, "bad.yaml")
    with open(bad, "w") as f:
        f.write("inputs:\n  - paths: [/x]\n    pipeline:\n      - parse: {format: nope}\n")
    refused = e2e.run_cli(args.sawlog, ["agent", "--config", bad])
    e2e.check(refused.returncode == 2 and "bad.yaml:4:" in refused.stderr.decode(),
              f"a bad processor must be refused with file:line:column, got {refused.returncode}: {refused.stderr}")

    with e2e.Server(args.sawlog, work, port=port) as srv:
        # First a hung server on the port: it takes connections and never answers.
        hung = socket.socket()
        hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hung.bind(("127.0.0.1", port))
        hung.listen(16)
        agent = Agent(args.sawlog, work, config)
        try:
            run_phases(args, work, srv, agent, hung, port, api, worker, logs_api)
        finally:
            agent.kill()
            hung.close()


def run_phases(args, work: str, srv: e2e.Server, agent: Agent, hung: socket.socket, port: int,
               api: str, worker: str, logs_api: str) -> None:
    api_ids: set[str] = set()
    worker_ids: set[str] = set()

    # Two inputs, two pipelines; a partial last line goes whole after its timeout.
    write(api, [api_line(f"a{i}") for i in range(5)])
    api_ids |= {f"a{i}" for i in range(5)}
    write(worker, [worker_line(f"w{i}") for i in range(5)] + ["2026-11-20T10:00:02Z info id=wpartial no newline yet"])
    worker_ids |= {f"w{i}" for i in range(5)} | {"wpartial"}
    write(os.path.join(logs_api, "app-debug.log"), [api_line("excluded")])  # wait_ids refuses unknown ids
    agent.start()
    before = time.time_ns()
    wait_log(agent, "timeout", 1, "the agent should give up on a hung server after request_timeout")
    hung.close()
    srv.start()
    wait_ids(srv, agent, "api", api_ids, "api input")
    wait_ids(srv, agent, "worker", worker_ids, "worker input")
    row = e2e.query(srv.port, 'id:a1')[0]
    e2e.check(row.get("team") == "payments" and row.get("level") == "info" and row.get("file") == api and
              row.get("amount") == "2" and row["_stream"] == '{service="api"}',
              f"api event fields: {row}")
    t = e2e.parse_time_ns(row["_time"])
    e2e.check(abs(t - before) < 600 * 10**9, f"api _time {row['_time']} should be the read time")
    row = e2e.query(srv.port, 'id:w1')[0]
    e2e.check(row["_time"] == "2026-11-20T10:00:01.250000000Z" and row["_msg"] == "job w1 was slow" and
              row.get("level") == "warn" and row["_stream"] == '{service="worker"}', f"worker event: {row}")
    row = e2e.query(srv.port, 'id:wpartial')[0]
    e2e.check(row["_msg"] == "no newline yet", f"the partial line: {row}")
    write(worker, ["\n"])  # ends the partial line: nothing more, an empty line is no event

    # Rotation by rename: the old file is read to its end, then the new one is followed.
    write(api, [api_line(f"r{i}") for i in range(300)])
    os.rename(api, api + ".1")
    write(api + ".1", [api_line(f"r-late{i}") for i in range(20)])  # the writer had not reopened yet
    write(api, [api_line(f"r-new{i}") for i in range(300)])
    api_ids |= {f"r{i}" for i in range(300)} | {f"r-late{i}" for i in range(20)} | {f"r-new{i}" for i in range(300)}
    wait_ids(srv, agent, "api", api_ids, "rotation by rename")

    # copytruncate: copied away, truncated in place, written again from the start.
    write(worker, [worker_line(f"c{i}") for i in range(200)])
    worker_ids |= {f"c{i}" for i in range(200)}
    wait_ids(srv, agent, "worker", worker_ids, "before copytruncate")
    shutil.copy(worker, worker + ".1")
    with open(worker, "r+") as f:
        f.truncate(0)
    write(worker, [worker_line(f"t{i}") for i in range(100)])
    worker_ids |= {f"t{i}" for i in range(100)}
    wait_ids(srv, agent, "worker", worker_ids, "copytruncate")

    # The server stopped while lines are written: they wait in the disk buffer.
    write(api, [api_line(f"s{i}") for i in range(200)])
    srv.stop()
    write(api, [api_line(f"down{i}") for i in range(500)])
    api_ids |= {f"s{i}" for i in range(200)} | {f"down{i}" for i in range(500)}
    wait_log(agent, "cannot deliver", 2, "the agent should say the server is away")
    srv.start()
    wait_ids(srv, agent, "api", api_ids, "server stopped and restarted", MAX_REPEATS)

    # The agent SIGKILLed while a writer appends; restarted, it goes on from its checkpoints.
    stop_writing = threading.Event()
    written: list[str] = []

    def writer() -> None:
        i = 0
        with open(api, "a", encoding="utf-8") as f:
            while not stop_writing.is_set() and i < 3000:
                batch = [f"k{j}" for j in range(i, i + 50)]
                f.writelines(api_line(b) for b in batch)
                f.flush()
                written.extend(batch)
                i += 50
                time.sleep(0.02)

    th = threading.Thread(target=writer)
    th.start()
    deadline = time.monotonic() + 30
    while not ids(srv.port, "api").keys() & {"k0"} and time.monotonic() < deadline:
        time.sleep(0.05)
    agent.stop(signal.SIGKILL)
    time.sleep(0.3)  # lines written while no agent runs
    agent.start()
    th.join()
    api_ids |= set(written)
    got = wait_ids(srv, agent, "api", api_ids, f"agent SIGKILLed after k0 ({len(written)} lines written)", MAX_REPEATS)
    e2e.check(len(written) > 0 and got["k0"] >= 1, "the writer wrote nothing")

    code = agent.stop()
    e2e.check(code == 0, f"agent exited {code} after SIGTERM:\n{agent.log()[-2000:]}")
    e2e.check("acknowledged by the server" in agent.log(), "the agent's status line is missing")

    # A short-lived job piping into the agent: it exits once all of it is acknowledged.
    job_config = os.path.join(work, "job.yaml")
    with open(job_config, "w") as f:
        f.write(f"server: http://127.0.0.1:{port}\ndata_dir: {work}/job-state\ninputs:\n"
                f"  - {{name: job, type: stdin, labels: {{service: job}}, multiline: {{start: '^job'}}}}\n")
    lines = "".join(f"job {i} step\n  detail {i}\n" for i in range(100)) + "job last, no newline"
    done = subprocess.run([args.sawlog, "agent", "--config", job_config], input=lines.encode(),
                          capture_output=True, timeout=60)
    e2e.check(done.returncode == 0, f"stdin agent exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    rows = e2e.query(srv.port, '_stream:{service="job"}')
    msgs = sorted(r["_msg"] for r in rows)
    want = sorted([f"job {i} step\n  detail {i}" for i in range(100)] + ["job last, no newline"])
    e2e.check(msgs == want, f"stdin: {len(rows)} events, want {len(want)}; e.g. {msgs[:3]}")


if __name__ == "__main__":
    e2e.main(run, __doc__)
