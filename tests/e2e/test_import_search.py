"""Import real logs with `sawlog import`, then prove search returns exactly the right events.

Proves:
  * `sawlog import` sends every line of 11 real log files (Apache access log + 10 Loghub samples)
    in one call, exits 0 and reports `imported 30000 events (0 rejected) from 11 files`;
  * acknowledged events are searchable as soon as the import returns (no sleep);
  * for 41 queries picked deterministically from the data (frequent, medium and rare words, 2-3
    token phrases with and without their original separators, IP-like and dash-joined multi-token
    words, prefixes, OR, NOT/-, AND, parentheses, `_msg:` fields, mixed case, `*`), the multiset of
    returned `_msg` equals EXACTLY the lines a plain scan with the reference tokenizer finds;
  * results are newest first (`_time` non-increasing), `_time` is RFC 3339 with nanoseconds, `limit`
    returns the newest events, `start` is inclusive and `end` exclusive;
  * after SIGTERM and a restart on the same data dir, the same queries return the same events.
"""

from __future__ import annotations

import collections
import glob
import hashlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sawlog_e2e as e2e  # noqa: E402

OPERATOR_WORDS = {b"and", b"or", b"not"}  # never used as bare search words


# ---------------------------------------------------------------------------------------------
# Queries paired with their reference predicate over a line's (token list, token set)

@dataclass(frozen=True)
class Q:
    text: str
    match: Callable[[list, set], bool]


def word(w: str) -> Q:
    toks = e2e.tokenize(w)
    if len(toks) == 1:
        return Q(w, lambda tl, ts, t=toks[0]: t in ts)
    return Q(w, lambda tl, ts: e2e.contains_phrase(tl, toks))  # a multi-token bare word is a phrase


def phrase(text: str) -> Q:
    toks = e2e.tokenize(text)
    return Q(f'"{text}"', lambda tl, ts: e2e.contains_phrase(tl, toks))


def prefix(p: str) -> Q:
    lp = p.lower().encode()
    return Q(p + "*", lambda tl, ts: any(t.startswith(lp) for t in ts))


def field(name: str, q: Q) -> Q:
    return Q(f"{name}:{q.text}", q.match)


def or_(*qs: Q) -> Q:
    return Q(" OR ".join(q.text for q in qs), lambda tl, ts: any(q.match(tl, ts) for q in qs))


def and_(*qs: Q, op: str = " AND ") -> Q:
    return Q(op.join(q.text for q in qs), lambda tl, ts: all(q.match(tl, ts) for q in qs))


def not_(q: Q, style: str = "NOT ") -> Q:
    return Q(style + q.text, lambda tl, ts: not q.match(tl, ts))


def group(q: Q) -> Q:
    return Q(f"({q.text})", q.match)


def match_all() -> Q:
    return Q("*", lambda tl, ts: True)


def mixed_case(s: str) -> str:
    """Alternating case on letters, starting upper: 'mozilla' -> 'MoZiLlA'."""
    out, up = [], True
    for ch in s:
        if ch.isalpha():
            ch = ch.upper() if up else ch.lower()
            up = not up
        out.append(ch)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# The corpus and deterministic choices from it

def stable(s: str | bytes) -> str:
    return hashlib.sha1(s if isinstance(s, bytes) else s.encode()).hexdigest()


class Corpus:
    def __init__(self, files: list[str]):
        self.files = files
        self.lines: list[str] = []
        self.origin: list[str] = []
        for f in files:
            for line in e2e.read_lines(f):
                self.lines.append(line)
                self.origin.append(os.path.basename(f))
        self.toks = [e2e.tokenize(l) for l in self.lines]
        self.sets = [set(t) for t in self.toks]
        self.df = collections.Counter(t for s in self.sets for t in s)

    def expected(self, q: Q) -> collections.Counter:
        return collections.Counter(l for l, tl, ts in zip(self.lines, self.toks, self.sets) if q.match(tl, ts))

    def words(self, lo: int, hi: int, n: int, alpha: bool = True, min_len: int = 3) -> list[str]:
        """n tokens with document frequency in [lo, hi], in a stable pseudo-random order."""
        cands = [t for t, c in self.df.items()
                 if lo <= c <= hi and t not in OPERATOR_WORDS and len(t) >= min_len
                 and (not alpha or re.search(rb"[a-z]", t))]
        cands.sort(key=stable)
        return [t.decode() for t in cands[:n]]

    def most_frequent(self, n: int, pattern: bytes) -> list[str]:
        cands = [(-c, t) for t, c in self.df.items() if re.fullmatch(pattern, t) and t not in OPERATOR_WORDS]
        return [t.decode() for _, t in sorted(cands)[:n]]

    def phrases(self, n: int, length: int, original_separators: bool) -> list[str]:
        """n runs of `length` consecutive tokens from different files' lines. With original_separators
        the text between the tokens is kept as in the line (skipped if it holds a quote/backslash)."""
        out, used_files = [], set()
        for i in sorted(range(len(self.lines)), key=lambda i: stable(f"{length}{original_separators}{self.lines[i]}")):
            if self.origin[i] in used_files:
                continue
            spans = [m.span() for m in re.finditer(r"[A-Za-z0-9_\x80-\U0010ffff]+", self.lines[i])]
            if len(spans) < length + 2:
                continue
            j = len(spans) // 2  # from the middle: past the timestamp that most lines start with
            run = spans[j:j + length]
            if original_separators:
                text = self.lines[i][run[0][0]:run[-1][1]]
                if '"' in text or "\\" in text:
                    continue
            else:
                text = " ".join(self.lines[i][a:b] for a, b in run)
            if any(t in OPERATOR_WORDS for t in e2e.tokenize(text)):
                continue
            out.append(text)
            used_files.add(self.origin[i])
            if len(out) == n:
                break
        return out

    def pattern_words(self, regex: str, n: int, lo: int, hi: int, files: str = "") -> list[str]:
        """n distinct substrings matching regex (in files whose name contains `files`) whose phrase
        count is within [lo, hi], in a stable pseudo-random order."""
        counts = collections.Counter(m for l, o in zip(self.lines, self.origin) if files in o
                                     for m in set(re.findall(regex, l)))
        cands = sorted((w for w, c in counts.items() if lo <= c <= hi), key=stable)
        return cands[:n]

    def cooccurring(self, a: str) -> str:
        """The token that occurs in closest to half of the lines holding word a."""
        ta = a.encode()
        with_a = [s for s in self.sets if ta in s]
        co = collections.Counter(t for s in with_a for t in s if t != ta and t not in OPERATOR_WORDS
                                 and re.search(rb"[a-z]", t))
        best = min(co.items(), key=lambda kv: (abs(kv[1] - len(with_a) / 2), kv[0]))
        return best[0].decode()


def build_queries(c: Corpus) -> list[Q]:
    frequent = c.most_frequent(3, rb"[a-z]{3,}") + c.most_frequent(1, rb"[0-9]+")
    medium = c.words(20, 500, 4)
    rare = c.words(1, 5, 8, min_len=5)
    ph2 = c.phrases(3, 2, original_separators=False)
    ph3 = c.phrases(3, 3, original_separators=True)
    ips = (c.pattern_words(r"^\d+\.\d+\.\d+\.\d+", 1, 50, 10**9, "apache_combined")
           + c.pattern_words(r"^\d+\.\d+\.\d+\.\d+", 1, 1, 3, "apache_combined")
           + c.pattern_words(r"\b\d+\.\d+\.\d+\.\d+\b", 1, 2, 50, "OpenSSH"))
    dashed = c.pattern_words(r"\b[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+){2,}\b", 1, 2, 100)
    a = frequent[0]
    b = c.cooccurring(a)
    qs = [match_all()]
    qs += [word(w) for w in frequent + medium + rare]
    qs += [phrase(p) for p in ph2 + ph3]
    qs += [word(w) for w in ips + dashed]
    qs += [
        word(mixed_case(frequent[1])), word(mixed_case(rare[0]).swapcase()), phrase(mixed_case(ph2[0])),
        prefix(medium[0][:4]), prefix(mixed_case(rare[1][:5])),
        or_(word(rare[2]), word(rare[3])),
        or_(word(rare[4]), phrase(ph3[0]), word(medium[1])),
        and_(word(a), not_(word(b)), op=" "),         # A NOT B
        and_(word(a), not_(word(b), style="-"), op=" "),  # A -B
        and_(word(a), not_(word(b))),                 # A AND NOT B
        and_(word(a), word(b), op=" "),               # implicit AND
        and_(group(or_(word(medium[2]), word(rare[5]))), not_(word(c.cooccurring(medium[2])), style="-"), op=" "),
        field("_msg", word(rare[6])),
        field("_msg", phrase(ph2[1])),
    ]
    return qs


# ---------------------------------------------------------------------------------------------

def compare(srv: e2e.Server, c: Corpus, q: Q) -> list[dict]:
    events = e2e.query(srv.port, q.text)
    got = collections.Counter(ev["_msg"] for ev in events)
    want = c.expected(q)
    if got != want:
        missing, extra = want - got, got - want
        raise e2e.Failure(
            f"query {q.text!r}: got {sum(got.values())} events, want {sum(want.values())} "
            f"({sum(missing.values())} missing, {sum(extra.values())} unexpected)\n"
            f"  missing e.g.: {[m[:160] for m in list(missing)[:3]]}\n"
            f"  unexpected e.g.: {[m[:160] for m in list(extra)[:3]]}")
    return events


def check_order_and_ranges(srv: e2e.Server, everything: list[dict]) -> None:
    times = [e2e.parse_time_ns(ev["_time"]) for ev in everything]
    for i in range(1, len(times)):
        e2e.check(times[i - 1] >= times[i], f"query '*': results not newest first: event {i - 1} has _time "
                  f"{everything[i - 1]['_time']} before event {i} with _time {everything[i]['_time']}")
    bad_stream = [ev["_stream"] for ev in everything if ev["_stream"] != "{}"]
    e2e.check(not bad_stream, f"text import without --stream-fields: want _stream '{{}}', got e.g. {bad_stream[:3]}")

    top = e2e.query(srv.port, "*", limit=7)
    e2e.check([ev["_time"] for ev in top] == [ev["_time"] for ev in everything[:7]],
              f"query '*' limit=7: got _time {[ev['_time'] for ev in top]}, "
              f"want the 7 newest {[ev['_time'] for ev in everything[:7]]}")

    distinct = sorted(set(times))
    if len(distinct) < 2:
        e2e.log("  (all events share one _time; start/end split not checked)")
        return
    split = distinct[len(distinct) // 2]
    split_s = next(ev["_time"] for ev, t in zip(everything, times) if t == split)
    n_at_or_after = sum(1 for t in times if t >= split)
    after = e2e.query(srv.port, "*", start=split_s)
    before = e2e.query(srv.port, "*", end=split_s)
    e2e.check(len(after) == n_at_or_after, f"query '*' start={split_s}: got {len(after)} events, "
              f"want {n_at_or_after} (start is inclusive)")
    e2e.check(len(before) == len(times) - n_at_or_after, f"query '*' end={split_s}: got {len(before)} "
              f"events, want {len(times) - n_at_or_after} (end is exclusive)")


def canonical(events: list[dict]) -> list[str]:
    return sorted(repr(sorted(ev.items())) for ev in events)


def run(args, work: str) -> None:
    files = [os.path.join(args.data_root, "access", "apache_combined_10k.log")]
    files += sorted(glob.glob(os.path.join(args.data_root, "loghub", "*", "*_2k.log")))
    e2e.check(len(files) == 11 and all(os.path.isfile(f) for f in files),
              f"want the access log and 10 loghub *_2k.log files under {args.data_root}, found {files}")
    corpus = Corpus(files)
    queries = build_queries(corpus)
    e2e.log(f"corpus: {len(corpus.lines)} lines from {len(files)} files; {len(queries)} queries")

    with e2e.Server(args.sawlog, work) as srv:
        srv.start()
        p = e2e.run_cli(args.sawlog, ["import", "--server", srv.url, *files])
        err = p.stderr.decode("utf-8", "replace")
        e2e.check(p.returncode == 0, f"sawlog import: exit status {p.returncode}, want 0; stderr:\n{err[-2000:]}")
        m = re.search(r"imported (\d+) events \((\d+) rejected\) from (\d+) files", err)
        e2e.check(m, f"sawlog import: no 'imported N events (M rejected) from K files' line on stderr:\n{err[-2000:]}")
        want = (len(corpus.lines), 0, len(files))
        got = tuple(int(x) for x in m.groups())
        e2e.check(got == want, f"sawlog import summary {m.group(0)!r}: "
                               f"want (events, rejected, files) = {want}, got {got}")
        e2e.log(f"import: {err.strip().splitlines()[-1]}")

        before = {}
        for q in queries:  # immediately after the import: acked means searchable
            before[q.text] = compare(srv, corpus, q)
            e2e.log(f"  ok {len(before[q.text]):6d}  {q.text}")
        check_order_and_ranges(srv, before["*"])

        srv.stop()
        srv.start()
        recheck = queries[:1] + queries[1::5]
        for q in recheck:
            after = compare(srv, corpus, q)
            e2e.check(canonical(after) == canonical(before[q.text]),
                      f"query {q.text!r}: events (with _time and fields) differ after restart")
        e2e.log(f"after restart: {len(recheck)} queries return the same events")
        srv.stop()


if __name__ == "__main__":
    e2e.main(run, __doc__)
