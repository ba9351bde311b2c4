"""Loghub acceptance: the header fields of every line of the ten Loghub systems, recovered exactly
by configured formats (tests/data/loghub/pipelines.yaml: one `parse` with a regex per system).

For each system (DATA/loghub/SYSTEM/SYSTEM_2k.log), every line goes through
`sawlog pipeline test pipelines.yaml --pipeline SYSTEM --format json`; then, for every line:
  * every column of SYSTEM_2k.log_structured_corrected.csv except LineId, Content, EventId and
    EventTemplate equals the event's field of that name, and Content equals `_msg`;
  * the event has no other field (`time_flag` aside) and no `parse_error`;
  * `_time` is the line's own time: the time columns read by Python's strptime (TIMES below) in
    UTC or the pipeline's zone; for lines without a year the month, day and time match and the
    year is this one or the last; BGL's `_time` is also its epoch `Timestamp` column.

The CSVs were written by pandas, which changed some values: numbers lost their leading zeros and
optional integers became floats (HDFS Date 081109 -> 81109, Linux PID 19939 -> 19939.0), and the
text NULL became empty (BGL Node, NodeRepeat, Type). Those, and only those, compare equal; how
many is printed. KNOWN lists the lines where the corrected CSV is not the log line.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import subprocess
import sys
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402
from sawlog_e2e import check  # noqa: E402

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "loghub", "pipelines.yaml")
NOT_HEADER = {"LineId", "Content", "EventId", "EventTemplate"}

# System -> (the time as written, from the parsed fields; its strptime format; the pipeline's zone).
# A format without %Y/%y has no year.
TIMES = {
    "Android": ("{Date} {Time}", "%m-%d %H:%M:%S.%f", None),
    "Apache": ("{Time}", "%a %b %d %H:%M:%S %Y", None),
    "BGL": ("{Time}", "%Y-%m-%d-%H.%M.%S.%f", "America/Los_Angeles"),
    "HDFS": ("{Date} {Time}", "%y%m%d %H%M%S", None),
    "Hadoop": ("{Date} {Time}", "%Y-%m-%d %H:%M:%S,%f", None),
    "HealthApp": ("{Time}", "%Y%m%d-%H:%M:%S:%f", None),
    "Linux": ("{Month} {Date} {Time}", "%b %d %H:%M:%S", None),
    "OpenSSH": ("{Date} {Day} {Time}", "%b %d %H:%M:%S", None),
    "Spark": ("{Date} {Time}", "%y/%m/%d %H:%M:%S", None),
    "Zookeeper": ("{Date} {Time}", "%Y-%m-%d %H:%M:%S,%f", None),
}

# (system, LineId) -> why the corrected CSV differs from the line: the header still must match.
KNOWN = {
    ("HealthApp", 702): "the corrected Content inserts spaces the line lacks "
                        "('totalSteps=7163Calories:153367...' -> 'totalSteps=7163 Calories:153367 ...')",
}

# pandas' default NA strings: read_csv turned these into NaN, written back empty.
PANDAS_NA = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
             "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null"}


def as_number(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


def pandas_equal(got: str, want: str) -> bool:
    """What pandas made of `got` when it read the log's columns and wrote the CSV."""
    if want == "" and got in PANDAS_NA:
        return True
    g, w = as_number(got), as_number(want)
    return g is not None and w is not None and g == w


def expected_time_ns(system: str, fields: dict[str, str]) -> tuple[int | None, datetime.datetime]:
    """(the instant, or None when the year is not written; the wall time as written)."""
    written, fmt, zone = TIMES[system]
    wall = datetime.datetime.strptime(written.format(**fields), fmt)
    if "%Y" not in fmt and "%y" not in fmt:
        return None, wall
    tz = zoneinfo.ZoneInfo(zone) if zone else datetime.timezone.utc
    t = wall.replace(tzinfo=tz)
    return int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000, wall


def check_system(sawlog: str, root: str, system: str) -> tuple[int, int, int]:
    """(lines whose header matched, lines, values compared through pandas_equal)."""
    base = os.path.join(root, "loghub", system, f"{system}_2k.log")
    with open(base, "rb") as f:
        lines = f.read().split(b"\n")
    with open(base + "_structured_corrected.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    check(rows, f"{system}: no rows in the CSV")
    proc = subprocess.run([sawlog, "pipeline", "test", CONFIG, "--pipeline", system, "--format", "json"],
                          input=b"\n".join(lines), capture_output=True, timeout=300)
    check(proc.returncode == 0, f"{system}: sawlog pipeline test exited {proc.returncode}: {proc.stderr.decode()}")
    results = {}
    for out in proc.stdout.decode("utf-8").splitlines():
        o = json.loads(out)
        results[o["line"]] = o
    now = datetime.datetime.now(datetime.timezone.utc)
    matched = normalised = 0
    for row in rows:
        line_id = int(row["LineId"])
        where = f"{system} line {line_id} ({lines[line_id - 1][:100]!r})"
        r = results.get(line_id)
        check(r is not None, f"{where}: no output for the line")
        check("rejected" not in r and r["dropped_by"] is None, f"{where}: not kept: {r}")
        ev = dict(r["event"])
        check("parse_error" not in ev, f"{where}: {ev.get('parse_error')}")
        header = [k for k in row if k not in NOT_HEADER]
        for k in header:
            got = ev.get(k, "")
            if got != row[k]:
                check(pandas_equal(got, row[k]), f"{where}: {k} is {got!r}, the CSV says {row[k]!r}")
                normalised += 1
        extra = set(ev) - set(header) - {"_time", "_msg", "_stream", "_ingest_time", "time_flag"}
        check(not extra, f"{where}: unexpected fields {sorted(extra)}")
        if ev["_msg"] != row["Content"]:
            check((system, line_id) in KNOWN, f"{where}: _msg is {ev['_msg']!r}, Content {row['Content']!r}")
            e2e.log(f"  {system} line {line_id}: Content differs as known: {KNOWN[(system, line_id)]}")
        else:
            matched += 1
        got_ns = e2e.parse_time_ns(ev["_time"])
        want_ns, wall = expected_time_ns(system, ev)
        if want_ns is not None:
            check(got_ns == want_ns, f"{where}: _time {ev['_time']}, expected {want_ns} ns")
        else:
            got = datetime.datetime.fromtimestamp(got_ns / 1e9, datetime.timezone.utc)
            check(got.year in (now.year, now.year - 1) and
                  (got.month, got.day, got.hour, got.minute, got.second) ==
                  (wall.month, wall.day, wall.hour, wall.minute, wall.second) and
                  got_ns % 1_000_000_000 == wall.microsecond * 1000,
                  f"{where}: _time {ev['_time']} is not {wall:%m-%d %H:%M:%S.%f} of this year or the last")
        if system == "BGL":
            check(got_ns // 1_000_000_000 == int(row["Timestamp"]), f"{where}: _time {ev['_time']} is not Timestamp")
    return matched, len(rows), normalised


def run(args, work) -> None:
    for system in TIMES:
        matched, total, normalised = check_system(args.sawlog, args.data_root, system)
        e2e.log(f"{system}: {matched}/{total} lines exactly, {total - matched} known; "
                f"{normalised} values as pandas wrote them")


if __name__ == "__main__":
    e2e.main(run, __doc__)
