"""SIGKILL the server repeatedly under concurrent ingest; no acknowledged event may be lost or doubled.

Proves that a 2xx from POST /api/v1/ingest means the events are durable: 4 writer threads POST
NDJSON batches (20-200 events; an id is never sent again once a connection carried it) while the
server is SIGKILLed at random moments (0.05-0.6 s after it became healthy; every 5th round 0-50 ms
after spawn, i.e. during startup/recovery) and restarted on the same data dir, --rounds times.
After a final restart, query `*` must return every acked id exactly once, no id more than once,
no id that was never sent, each with its original `_msg`; a further clean restart must return
the same ids. The RNG seed is printed (--seed to replay the same schedule).
"""

from __future__ import annotations

import collections
import http.client
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402

PAD = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor"


def message(event_id: str) -> str:
    return f"crash test event {event_id} {PAD}"


class Writers:
    """Writer threads that POST batches of fresh ids to whatever port the server has now."""

    def __init__(self, srv: e2e.Server, count: int, seed: int, rate: float, max_events: int):
        self.srv = srv
        self.rate = rate / count  # events per second per writer, so writes span every round
        self.max_events = max_events
        self.lock = threading.Lock()
        self.sent: set[str] = set()
        self.acked: set[str] = set()
        self.stats = collections.Counter()
        self.problems: list[str] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(w, random.Random(seed * 1000 + w)), daemon=True)
                        for w in range(1, count + 1)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(30)
            e2e.check(not t.is_alive(), "a writer thread did not stop within 30 s")

    def _loop(self, wid: int, rng: random.Random) -> None:
        seq, due = 0, time.monotonic()
        try:
            while not self.stopping.is_set():
                if len(self.sent) >= self.max_events:
                    time.sleep(0.05)
                    continue
                n = rng.randint(20, 200)
                ids = [f"w{wid}-{seq + i:06d}" for i in range(n)]
                seq += n
                while not self._post(ids) and not self.stopping.is_set():
                    time.sleep(0.01)  # not connected: nothing was delivered, so resending these ids is safe
                due = max(due + n / self.rate, time.monotonic() - 0.1)
                self.stopping.wait(max(0.0, due - time.monotonic()))
        except Exception as e:  # a test bug: make it visible
            with self.lock:
                self.problems.append(f"writer {wid} crashed: {e!r}")

    def _post(self, ids: list[str]) -> bool:
        """POSTs ids once; False only if no connection was made (so nothing was delivered)."""
        body = e2e.ndjson({"id": i, "_msg": message(i)} for i in ids)
        port = self.srv.port
        try:
            conn = e2e.connect(port, timeout=15)
        except OSError:  # refused (server down or not listening yet): no byte was delivered
            return False
        with self.lock:
            self.sent.update(ids)  # from here on the server may have received them
        try:
            r = e2e.ingest(port, body, timeout=15, conn=conn)
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.stats["transport errors"] += 1
            time.sleep(0.01)
            return True
        with self.lock:
            self.stats[f"HTTP {r.status}"] += 1
        if not 200 <= r.status < 300:
            time.sleep(0.01)
            return True
        try:
            e2e.check_ingest(r, f"POST of {len(ids)} events to port {port}", len(ids), status=r.status)
        except e2e.Failure as f:
            with self.lock:
                self.problems.append(str(f))
            return True
        with self.lock:
            self.acked.update(ids)
        return True


def run(args, work: str) -> None:
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**9)
    e2e.log(f"seed {seed} (replay with --seed {seed}), {args.rounds} rounds")
    rng = random.Random(seed)
    with e2e.Server(args.sawlog, work) as srv:
        writers = Writers(srv, 4, seed, args.rate, args.max_events)
        srv.start()
        writers.start()
        try:
            for rnd in range(args.rounds):
                if srv.proc is None:
                    during_startup = rnd % 5 == 4
                    srv.start(wait=not during_startup)
                else:
                    during_startup = False  # round 0: already running
                time.sleep(rng.uniform(0.0, 0.05) if during_startup else rng.uniform(0.05, 0.6))
                srv.kill()
                e2e.log(f"  round {rnd + 1:2d}: killed {'during startup' if during_startup else 'while serving'}; "
                        f"sent {len(writers.sent)}, acked {len(writers.acked)}")
        finally:
            writers.stop()

        e2e.check(not writers.problems, "writers saw bad responses:\n  " + "\n  ".join(writers.problems[:10]))
        e2e.log(f"requests: {dict(sorted(writers.stats.items()))}")
        e2e.check(writers.acked, "no POST was ever acknowledged: the test proved nothing "
                                 "(server too slow to start or never answered 2xx)")

        srv.start()
        found = found_ids(srv)
        sent, acked = writers.sent, writers.acked
        lost = acked - set(found)
        doubled = {i: c for i, c in found.items() if c > 1}
        phantom = set(found) - sent
        e2e.log(f"sent {len(sent)}, acked {len(acked)}, found {len(found)} distinct "
                f"({sum(found.values())} events), found though unacked {len(set(found) - acked)}, "
                f"lost {len(lost)}, duplicated {len(doubled)}, never sent {len(phantom)}")
        e2e.check(not lost, f"{len(lost)} acknowledged ids are missing after recovery, e.g. {sorted(lost)[:10]}")
        e2e.check(not doubled, f"{len(doubled)} ids found more than once, e.g. {sorted(doubled.items())[:10]}")
        e2e.check(not phantom, f"{len(phantom)} ids found that were never sent, e.g. {sorted(phantom)[:10]}")

        srv.stop()
        srv.start()
        again = found_ids(srv)
        e2e.check(again == found, f"after a further clean restart: {len(again)} distinct ids "
                                  f"({sum(again.values())} events), before it {len(found)} ({sum(found.values())})")
        srv.stop()


def found_ids(srv: e2e.Server) -> collections.Counter:
    events = e2e.query(srv.port, "*")
    e2e.check(len(events) < 1_000_000, "query '*' hit the 1000000 limit; lower --max-events")
    found = collections.Counter()
    for ev in events:
        i = ev.get("id")
        e2e.check(isinstance(i, str), f"event without a string 'id' field: {str(ev)[:300]}")
        e2e.check(ev["_msg"] == message(i), f"event {i}: _msg {ev['_msg']!r}, want {message(i)!r}")
        found[i] += 1
    return found


def add_args(p) -> None:
    p.add_argument("--rounds", type=int, default=20, help="number of SIGKILLs (default 20)")
    p.add_argument("--seed", type=int, default=None, help="RNG seed (default: random, printed)")
    p.add_argument("--rate", type=float, default=15_000,
                   help="events per second sent by all writers together, at most (default 15000)")
    p.add_argument("--max-events", type=int, default=150_000,
                   help="writers stop once this many events were sent (bounds WAL size and run time)")


if __name__ == "__main__":
    e2e.main(run, __doc__, add_args)
