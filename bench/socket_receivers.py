#!/usr/bin/python3
"""Load generator for the socket receivers: GELF over UDP and Fluentd forward over TCP, into a
fresh `sawlog server` and its durable store.

    /usr/bin/python3 bench/socket_receivers.py [--events 1000000] [--connections 2] [--gelf-rate N]
                                               [--only forward|gelf] [--data-root ../shared/data]

forward/tcp: PackedForward messages of the 10,000 real [EventTime, {"log": ...}] entries of
Fluent Bit's `vectors/parsers/msgpack/apache_10k.mp`, each with a chunk id; a connection sends its
next message when the ack of the previous one arrived, so every event counted is in the fsynced
WAL. Also CompressedPackedForward (the same, gzipped).
gelf/udp: one GELF datagram per line of `access/apache_combined_10k.log` (host, short_message,
timestamp, level, two additional fields), sent as fast as the kernel takes them; the events
counted are those the server reports stored on /metrics once it stops growing, so datagrams the
kernel or the server dropped are reported as lost, not as throughput.

Prints events/s (wall) and events per second of server CPU time (user + system, all threads):
the per-core figure.
"""
import argparse, gzip, json, os, socket, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import sawlog_e2e as e2e  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--events", type=int, default=1_000_000)
ap.add_argument("--connections", type=int, default=2)
ap.add_argument("--gelf-rate", type=int, default=0, help="GELF datagrams per second over all senders (0: as fast as possible)")
ap.add_argument("--only", choices=["forward", "gelf"], help="run one protocol only")
ap.add_argument("--data-root", default=os.path.join(ROOT, "..", "shared", "data"))
args = ap.parse_args()


def ingested(port: int, receiver: str) -> int:
    body = e2e.request(port, "GET", "/metrics").body.decode()
    for line in body.splitlines():
        if line.startswith(f'sawlog_ingested_events_total{{receiver="{receiver}"}}'):
            return int(float(line.split()[1]))
    return 0


def mp_str(b: bytes) -> bytes:
    return (bytes([0xa0 | len(b)]) if len(b) < 32 else b"\xd9" + bytes([len(b)])) + b


def mp_bin(b: bytes) -> bytes:
    return b"\xc6" + len(b).to_bytes(4, "big") + b


def forward_message(entries: bytes, chunk: str, compressed: bool) -> bytes:
    option = b"\x82" + mp_str(b"chunk") + mp_str(chunk.encode()) + mp_str(b"compressed") + mp_str(
        b"gzip" if compressed else b"text")
    return b"\x93" + mp_str(b"bench.apache") + mp_bin(entries) + option


def run_forward(port: int, entries: bytes, per_message: int, compressed: bool) -> int:
    payload = gzip.compress(entries, 1) if compressed else entries
    messages = args.events // per_message // args.connections

    def connection(k: int) -> None:
        s = socket.create_connection(("127.0.0.1", port))
        for i in range(messages):
            chunk = f"c{k}-{i}"
            s.sendall(forward_message(payload, chunk, compressed))
            want = b"\x81" + mp_str(b"ack") + mp_str(chunk.encode())
            got = b""
            while len(got) < len(want):
                more = s.recv(len(want) - len(got))
                if not more:
                    raise SystemExit(f"connection {k} closed before the ack of {chunk}")
                got += more
            if got != want:
                raise SystemExit(f"connection {k}: ack {got!r}, want {want!r}")
        s.close()

    threads = [threading.Thread(target=connection, args=(k,)) for k in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return messages * args.connections * per_message


def run_gelf(port: int, http_port: int, datagrams: list[bytes]) -> tuple[int, int]:
    per_sender = args.events // args.connections

    def sender(k: int) -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        n = len(datagrams)
        start = time.monotonic()
        rate = args.gelf_rate / args.connections
        for i in range(per_sender):
            s.sendto(datagrams[(i + k) % n], ("127.0.0.1", port))
            if rate and i % 1000 == 999:  # paced in bursts of 1000
                ahead = start + (i + 1) / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
        s.close()

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = per_sender * args.connections
    last, stable = -1, 0
    while stable < 5:  # stored count unchanged for 0.5 s
        now = ingested(http_port, "gelf")
        stable = stable + 1 if now == last else 0
        last = now
        time.sleep(0.1)
    return sent, last


def main() -> None:
    with open(os.path.join(args.data_root, "vectors", "parsers", "msgpack", "apache_10k.mp"), "rb") as f:
        entries = f.read()
    per_message = 10_000
    with open(os.path.join(args.data_root, "access", "apache_combined_10k.log"), encoding="utf-8", errors="replace") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    base = 1_795_000_000.0
    datagrams = [json.dumps({"version": "1.1", "host": f"web-{i % 8}", "short_message": line, "timestamp": base + i / 1000,
                             "level": 6, "_source": "apache", "_n": i}).encode() for i, line in enumerate(lines)]

    for name in ("forward/tcp", "forward/tcp compressed", "gelf/udp"):
        if args.only and not name.startswith(args.only):
            continue
        work = tempfile.mkdtemp(prefix="sawlog-bench-sockets-")
        rport = e2e.free_udp_port() if name.startswith("gelf") else e2e.free_port()
        spec = name.split()[0]
        srv = e2e.Server(os.path.join(ROOT, "build", "sawlog"), work, extra_args=["--receive", f"{spec}=127.0.0.1:{rport}"])
        srv.start()
        pid = srv.proc.pid
        cpu0, t0 = e2e.cpu_seconds(pid), time.monotonic()
        if spec == "forward/tcp":
            stored = run_forward(rport, entries, per_message, "compressed" in name)
            lost = ""
            t1 = time.monotonic()
        else:
            sent, stored = run_gelf(rport, srv.port, datagrams)
            t1 = time.monotonic() - 0.5  # the wait that saw the count settle
            lost = f", lost {sent - stored} of {sent} ({100 * (sent - stored) / sent:.1f}%)"
        cpu = e2e.cpu_seconds(pid) - cpu0
        srv.stop()
        wall = t1 - t0
        print(f"{name}: {stored:,} events durable in {wall:.2f} s = {stored / wall:,.0f} events/s; "
              f"server CPU {cpu:.2f} s = {stored / cpu:,.0f} events per CPU-second{lost}", flush=True)


main()
