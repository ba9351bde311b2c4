"""A full disk refuses ingestion clearly, loses nothing acknowledged, and ingestion resumes.

Proves, on a real full file system (a 24 MiB tmpfs mounted for the test; skipped with exit 77
where mounting is not allowed): batches are ingested until the disk fills and the server answers
507 with {"error":{"code":"NoSpace",...}} naming the disk; the server keeps serving queries; once
space returns (a filler file is deleted) ingestion is accepted again; after a clean restart every
acknowledged event is found exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

SKIP = 77
PAD = "x" * 400


def run(args, work: str) -> None:
    mnt = os.path.join(work, "small-disk")
    os.makedirs(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt], capture_output=True).returncode != 0:
        e2e.log("SKIP: cannot mount a tmpfs here (needs root)")
        sys.exit(SKIP)
    try:
        run_on(args, work, mnt)
    finally:
        subprocess.run(["umount", "-l", mnt], capture_output=True)


def run_on(args, work: str, mnt: str) -> None:
    data = os.path.join(mnt, "data")
    acked: set[str] = set()
    with e2e.Server(args.sawlog, work, data_dir=data) as srv:
        srv.start()
        # Leave little room: a filler file takes most of the disk and is deleted later.
        filler = os.path.join(mnt, "filler")
        with open(filler, "wb") as f:
            f.write(b"\0" * (16 << 20))
        refused = None
        for batch in range(2000):
            ids = [f"b{batch}-{k}" for k in range(200)]
            r = e2e.ingest(srv.port, e2e.ndjson({"id": i, "_msg": f"disk test {i} {PAD}"} for i in ids))
            if r.status == 200:
                acked.update(ids)
                continue
            refused = r
            break
        check(refused is not None, "the disk never filled up")
        err = e2e.check_error(refused, 507, "ingest on a full disk", "NoSpace")
        check("disk full" in err["message"], f"the message does not say the disk is full: {err}")
        e2e.log(f"disk full after {len(acked)} acknowledged events: {err['message']}")
        check(len(e2e.query(srv.port, "disk")) == len(acked), "queries on a full disk do not see every acked event")
        os.remove(filler)
        for batch in range(5):
            ids = [f"after{batch}-{k}" for k in range(200)]
            r = e2e.ingest(srv.port, e2e.ndjson({"id": i, "_msg": f"disk test {i}"} for i in ids))
            check(r.status == 200, f"ingestion did not resume when space returned: {r}")
            acked.update(ids)
        check(srv.stop() == 0, "the server did not stop cleanly")
        srv.start()
        found = [e["id"] for e in e2e.query(srv.port, "disk")]
        check(len(found) == len(set(found)), "an event was stored twice")
        missing = acked - set(found)
        check(not missing, f"{len(missing)} acknowledged events were lost, e.g. {sorted(missing)[:3]}")
        e2e.log(f"all {len(acked)} acknowledged events found once after the restart")


if __name__ == "__main__":
    e2e.main(run, __doc__)
