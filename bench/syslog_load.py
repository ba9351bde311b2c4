#!/usr/bin/python3
"""Syslog TCP load: sawlog's syslog/tcp receiver against rsyslogd (imtcp → omfile), same run.

    bench/syslog_load.py [--sawlog build/sawlog] [--events 2000000] [--connections 2]
                         [--framing octet,newline] [--no-peer] [--settled] [--work /var/tmp/sawlog-syslog-bench]

Builds RFC 5424 messages (varied hosts, apps, ids, structured data and text; deterministic) in
memory first, then sends them at full speed over --connections TCP connections, RFC 6587 octet
counting or newline framing. sawlog: a fresh `sawlog server --receive syslog/tcp`; the run ends
when the server has closed every connection after its end of stream, which it does only once
the last batch is durable (WAL fsync); the count is then checked by a query. rsyslogd (Debian's
rsyslog, when installed): imtcp writing each message to a file with omfile (buffered, no fsync,
no index: less work than sawlog does); the run ends when the file has every byte. Prints
events/s, MB/s of syslog text, and events/s per core of the receiver's CPU time (utime+stime from
/proc/PID/stat) up to the last acknowledgement, and sawlog's also up to the moment every event is
in a part ("in parts": the flush of what the head held at the last acknowledgement counted too, so
that a flusher lagging behind ingest does not look cheaper), with --settled also up to the end of
every merge the load causes (its partition settles 30 s after the last part), each process's peak
RSS, and the ratios sawlog ÷ rsyslog.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WORDS = ("connection accepted from user session opened closed timeout retry request served cache miss hit "
         "disk write read latency queue worker started stopped error warning failed ok GET POST /api/v1/items "
         "status code bytes client upstream").split()


def messages(n: int, seed: int) -> list[bytes]:
    """n RFC 5424 messages without framing, deterministic for a seed."""
    rnd = random.Random(seed)
    hosts = [f"web{i:02d}.example.net" for i in range(40)]
    apps = ["nginx", "sshd", "cron", "postfix", "kernel", "app-api", "app-worker", "haproxy"]
    base = int(time.time()) - 3600
    out = []
    for i in range(n):
        t = base + i // 1000
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{(i * 7919) % 1000000:06d}Z"
        sd = f'[req@32473 id="{rnd.randrange(1 << 30):x}" user="u{rnd.randrange(500)}"]' if i % 3 == 0 else "-"
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(6, 16)))
        pri = 8 * rnd.choice((1, 3, 4, 16, 23)) + rnd.randrange(8)
        out.append(f"<{pri}>1 {stamp} {rnd.choice(hosts)} {rnd.choice(apps)} {rnd.randrange(1, 65536)} "
                   f"ID{rnd.randrange(50)} {sd} {text} seq={i}".encode())
    return out


def frame(msgs: list[bytes], framing: str) -> bytes:
    if framing == "octet":
        return b"".join(b"%d %s" % (len(m), m) for m in msgs)
    return b"\n".join(msgs) + b"\n"


def send_all(port: int, payloads: list[bytes], wait_close: bool) -> None:
    """One connection per payload, in parallel; with wait_close, until the receiver closes it."""
    errors: list[BaseException] = []

    def one(data: bytes) -> None:
        try:
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                if wait_close:
                    while s.recv(65536):
                        pass
        except BaseException as e:  # reported by the caller
            errors.append(e)

    threads = [threading.Thread(target=one, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def wait_listening(port: int, proc: subprocess.Popen, what: str) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{what} is not listening on {port}")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024


def wait_settled(pid: int, since: float) -> float:
    """CPU seconds once the server's merges are over: its partition settles (StoreOptions::settle_ns,
    30 s without a new part) and the merge that makes its short-lived parts last has run."""
    last, still = cpu_seconds(pid), 0
    while True:
        time.sleep(1)
        now = cpu_seconds(pid)
        still = still + 1 if now - last < 0.02 else 0
        last = now
        if still >= 3 and time.monotonic() - since > 35:
            return now


def run_sawlog(binary: str, work: str, payloads: list[bytes], n: int, settled: bool) -> dict:
    data = os.path.join(work, "sawlog-data")
    shutil.rmtree(data, ignore_errors=True)
    http_port, syslog_port = free_port(), free_port()
    log = open(os.path.join(work, "sawlog.log"), "wb")
    proc = subprocess.Popen([binary, "server", "--data", data, "--listen", f"127.0.0.1:{http_port}",
                             "--receive", f"syslog/tcp=127.0.0.1:{syslog_port}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_listening(syslog_port, proc, "sawlog server")
        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        send_all(syslog_port, payloads, wait_close=True)
        t1, cpu1 = time.monotonic(), cpu_seconds(proc.pid)
        # The flush of what the head still holds is work the events cause too: also counted up to
        # the moment every event is in a part (merges after that are not).
        while head_rows(http_port) > 0:
            time.sleep(0.05)
        cpu2 = cpu_seconds(proc.pid)
        cpu3 = wait_settled(proc.pid, t1) if settled else None
        q = urllib.parse.urlencode({"q": "* | stats count() as n"})
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/api/v1/query?{q}", timeout=300) as r:
            found = int(json.loads(r.read().splitlines()[0])["n"])
        if found != n:
            sys.exit(f"sawlog stored {found} events, want {n} (log: {work}/sawlog.log)")
        r = {"secs": t1 - t0, "cpu": cpu1 - cpu0, "cpu_parts": cpu2 - cpu0}
        if settled:
            r["cpu_settled"] = cpu3 - cpu0
        r["rss"] = peak_rss_mb(proc.pid)
        return r
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def head_rows(http_port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=60) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("sawlog_store_head_rows"):
                return int(float(line.split()[-1]))
    sys.exit("sawlog's /metrics has no sawlog_store_head_rows")


def run_rsyslog(rsyslogd: str, work: str, payloads: list[bytes], n: int, out_bytes: int) -> dict:
    rdir = os.path.join(work, "rsyslog")
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    port = free_port()
    out = os.path.join(rdir, "out.log")
    conf = os.path.join(rdir, "rsyslog.conf")
    with open(conf, "w") as f:
        f.write(f"""global(workDirectory="{rdir}" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="r")
template(name="raw" type="string" string="%rawmsg%\\n")
ruleset(name="r") {{ action(type="omfile" file="{out}" template="raw") }}
""")
    log = open(os.path.join(rdir, "rsyslogd.log"), "wb")
    proc = subprocess.Popen([rsyslogd, "-n", "-f", conf, "-i", os.path.join(rdir, "pid")], stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        wait_listening(port, proc, "rsyslogd")
        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        send_all(port, payloads, wait_close=False)
        while not os.path.exists(out) or os.path.getsize(out) < out_bytes:
            if proc.poll() is not None:
                sys.exit("rsyslogd exited during the run")
            time.sleep(0.01)
        t1, cpu1 = time.monotonic(), cpu_seconds(proc.pid)
        with open(out, "rb") as f:
            lines = sum(1 for _ in f)
        if lines != n:
            sys.exit(f"rsyslogd wrote {lines} lines, want {n}")
        return {"secs": t1 - t0, "cpu": cpu1 - cpu0, "rss": peak_rss_mb(proc.pid)}
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sawlog", default=os.path.join(root, "build", "sawlog"))
    ap.add_argument("--events", type=int, default=2_000_000)
    ap.add_argument("--connections", type=int, default=2)
    ap.add_argument("--framing", default="octet,newline")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--settled", action="store_true",
                    help="also wait for sawlog's merges to end (35 s or more) and count their CPU too")
    ap.add_argument("--work", default="/var/tmp/sawlog-syslog-bench")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rsyslogd = None if args.no_peer else (shutil.which("rsyslogd") or
                                          ("/usr/sbin/rsyslogd" if os.path.exists("/usr/sbin/rsyslogd") else None))

    per = args.events // args.connections
    n = per * args.connections
    chunks = [messages(per, seed) for seed in range(args.connections)]
    text_bytes = sum(len(m) for c in chunks for m in c)
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} cores, {model}")
    print(f"load: {n} RFC 5424 messages, {text_bytes / 1e6:.0f} MB of syslog text, {args.connections} connections")
    print(f"{'receiver':<22} {'framing':<8} {'wall s':>7} {'events/s':>10} {'MB/s':>7} {'CPU s':>6} {'events/s/core':>14}"
          f" {'in parts/core':>14}{' settled/core' if args.settled else ''} {'peak RSS MB':>11}")
    for framing in args.framing.split(","):
        payloads = [frame(c, framing) for c in chunks]
        results = {"sawlog": run_sawlog(args.sawlog, args.work, payloads, n, args.settled)}
        if rsyslogd:
            results["rsyslogd imtcp→omfile"] = run_rsyslog(rsyslogd, args.work, payloads, n, text_bytes + n)
        for name, r in results.items():
            r["rate"], r["per_core"] = n / r["secs"], n / r["cpu"]
            parts = f" {n / r['cpu_parts']:14,.0f}" if "cpu_parts" in r else " " * 15
            if args.settled:
                parts += f" {n / r['cpu_settled']:13,.0f}" if "cpu_settled" in r else " " * 14
            print(f"{name:<22} {framing:<8} {r['secs']:7.2f} {r['rate']:10,.0f} {text_bytes / 1e6 / r['secs']:7.1f} "
                  f"{r['cpu']:6.2f} {r['per_core']:14,.0f}{parts} {r['rss']:11,.0f}")
        if len(results) == 2:
            s, p = results.values()
            print(f"ratio sawlog ÷ rsyslogd ({framing}): events/s ×{s['rate'] / p['rate']:.2f}, "
                  f"per core ×{s['per_core'] / p['per_core']:.2f}")


if __name__ == "__main__":
    main()
