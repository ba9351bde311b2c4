#!/usr/bin/python3
"""Steady-load benchmark: server memory and ingest-to-searchable latency at a fixed event rate.

    /usr/bin/python3 bench/steady.py [--rate 50000] [--seconds 30] [--corpus DIR]

Starts a fresh `sawlog server`, sends the corpus's NDJSON lines at --rate events/s (batches every
20 ms over 4 connections), and meanwhile, 10 times a second, sends one event carrying a unique
token and queries for it until it is found: the time from sending it to finding it is the
ingest-to-searchable latency (acknowledgement included). Prints the rate reached, the server's
peak and final RSS, and the latency percentiles.
"""
import argparse, http.client, json, os, socket, subprocess, tempfile, threading, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--rate", type=int, default=50000)
ap.add_argument("--seconds", type=int, default=30)
ap.add_argument("--corpus", default="/var/tmp/sawlog-corpus")
args = ap.parse_args()

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def rss_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    return 0

port = free_port()
data = tempfile.mkdtemp(prefix="sawlog-steady-")
server = subprocess.Popen([os.path.join(ROOT, "build", "sawlog"), "server", "--data", data,
                           "--listen", f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
for _ in range(100):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1); c.request("GET", "/health")
        if c.getresponse().status == 200: break
    except OSError:
        time.sleep(0.05)

# The events: corpus lines, read once into memory (enough for the run at the given rate).
need = args.rate * args.seconds
lines = []
with open(os.path.join(args.corpus, "corpus.ndjson"), "rb") as f:
    for line in f:
        lines.append(line)
        if len(lines) >= min(need, 2_000_000): break

stop = time.time() + args.seconds
sent = [0]
lock = threading.Lock()
BATCH_INTERVAL = 0.02
SENDERS = 4

def sender(k):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    per_batch = max(1, args.rate * BATCH_INTERVAL / SENDERS)
    i = k * 1000
    next_t = time.time()
    carry = 0.0
    while time.time() < stop:
        carry += per_batch
        n = int(carry); carry -= n
        body = b"".join(lines[(i + j) % len(lines)] for j in range(n)); i += n
        conn.request("POST", "/api/v1/ingest?_stream_fields=service,host", body, {"Content-Type": "application/x-ndjson"})
        r = conn.getresponse(); r.read()
        if r.status == 200:
            with lock: sent[0] += n
        next_t += BATCH_INTERVAL
        time.sleep(max(0.0, next_t - time.time()))

latencies = []
def prober():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    k = 0
    while time.time() < stop:
        token = f"probe{os.getpid()}x{k}"; k += 1
        t0 = time.time()
        conn.request("POST", "/api/v1/ingest", json.dumps({"_msg": f"latency probe {token}"}).encode(),
                     {"Content-Type": "application/x-ndjson"})
        conn.getresponse().read()
        while True:
            conn.request("GET", "/api/v1/query?q=" + urllib.parse.quote(token) + "&limit=1&start=" + str(int(t0) - 5))
            if conn.getresponse().read().strip():
                latencies.append(time.time() - t0); break
            time.sleep(0.005)
        time.sleep(max(0.0, 0.1 - (time.time() - t0)))

threads = [threading.Thread(target=sender, args=(k,)) for k in range(SENDERS)] + [threading.Thread(target=prober)]
t_start = time.time()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.time() - t_start
peak, now = rss_kb(server.pid, "VmHWM"), rss_kb(server.pid, "VmRSS")
server.terminate(); server.wait()
latencies.sort()
pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
print(f"rate asked {args.rate} events/s for {args.seconds} s: sent {sent[0]} events, {sent[0] / elapsed:.0f} events/s acknowledged")
print(f"server RSS: peak {peak / 1024:.0f} MiB, at the end {now / 1024:.0f} MiB")
print(f"ingest-to-searchable ({len(latencies)} probes): p50 {pct(0.5) * 1000:.1f} ms, p99 {pct(0.99) * 1000:.1f} ms, max {latencies[-1] * 1000 if latencies else float('nan'):.1f} ms")
subprocess.run(["rm", "-rf", data])
