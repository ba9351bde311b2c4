"""`patterns` groups the Loghub messages as their labelled templates do (grouping accuracy).

For each of the 10 Loghub systems in the shared data, writes the `Content` column of
`*_2k.log_structured_corrected.csv` (the message after the header fields, which sawlog's parsers
split off) to a file, runs `sawlog query --file F '* | patterns tag | fields pattern'` over it,
and scores the grouping as Zhu et al. (2019) define it: a line is right when the lines that share
its template are exactly the lines that share its labelled EventId. Prints every system's score;
the average must stay at or above what this version reaches (0.96, just under the 0.965 it scores; Drain's published average
is 0.865, the query issue's bar 0.92), and `patterns` (the summary form) must agree with the tags.
"""

from __future__ import annotations

import collections
import csv
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

SYSTEMS = ["Android", "Apache", "BGL", "HDFS", "Hadoop", "HealthApp", "Linux", "OpenSSH", "Spark", "Zookeeper"]
FLOOR = 0.96


def query_file(sawlog: str, path: str, q: str) -> list[dict]:
    out = subprocess.run([sawlog, "query", "--file", path, "--format", "json", "--limit", "1000000", q],
                         capture_output=True, text=True, timeout=120)
    check(out.returncode == 0, f"sawlog query --file {path} {q!r}: {out.stderr[:300]}")
    return [json.loads(x) for x in out.stdout.splitlines() if x.strip()]


def run(args, work: str) -> None:
    scores = {}
    for system in SYSTEMS:
        with open(os.path.join(args.data_root, "loghub", system, f"{system}_2k.log_structured_corrected.csv"),
                  newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        path = os.path.join(work, f"{system}.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(r["Content"].replace("\n", " ") + "\n" for r in rows)
        tags = [r["pattern"] for r in query_file(args.sawlog, path, "* | patterns tag | fields pattern")]
        check(len(tags) == len(rows), f"{system}: {len(tags)} tagged lines for {len(rows)}")
        by_tag, by_event = collections.defaultdict(set), collections.defaultdict(set)
        for i, (tag, row) in enumerate(zip(tags, rows)):
            by_tag[tag].add(i)
            by_event[row["EventId"]].add(i)
        right = sum(1 for i, (tag, row) in enumerate(zip(tags, rows)) if by_tag[tag] == by_event[row["EventId"]])
        scores[system] = right / len(rows)
        summary = query_file(args.sawlog, path, "* | patterns")
        check(sum(int(r["hits"]) for r in summary) == len(rows) and
              {r["pattern"]: int(r["hits"]) for r in summary} == {t: len(ls) for t, ls in by_tag.items()},
              f"{system}: `patterns` and `patterns tag` disagree")
    for system, score in scores.items():
        e2e.log(f"{system:10} {score:.3f}")
    average = sum(scores.values()) / len(scores)
    e2e.log(f"average    {average:.3f}")
    check(average >= FLOOR, f"grouping accuracy {average:.3f} fell below {FLOOR}")


if __name__ == "__main__":
    e2e.main(run, __doc__)
