#!/usr/bin/env python3
"""SETMETADATA and GETMETADATA round trips per second (RFC 5464), against
NOOP round trips on the same connections as the floor of what one command
costs.

A fresh mailroomd (RocksDB store, IMAP only, plaintext login) and --clients
users, each on its own connection, one command in flight per connection.
Each phase (NOOP, SETMETADATA of a new value of one of 16 entries,
GETMETADATA (DEPTH infinity) /shared of those 16) runs --seconds, --rounds
times; the figures are the median rate over rounds and the ratio to NOOP.

  python3 bench/metadata/metadata_bench.py [--seconds 5] [--rounds 3]
      [--clients 4] [--value-bytes 256] [--results FILE]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and the IMAP plugin built
(bazel build //tools:mailroomd //tools:mailroomctl
//protocols/imap:libmailroom_imap.so). Loopback only."""

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
from tests.harness.mailroomd import Mailroomd  # noqa: E402


class Conn:
    def __init__(self, port, user):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""
        self.n = 0
        self.line()  # greeting
        self.run('LOGIN %s "pw"' % user)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def run(self, command):
        self.n += 1
        tag = b"b%d" % self.n
        self.sock.sendall(tag + b" " + command.encode() + b"\r\n")
        while True:
            line = self.line()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line.decode())
                return


def phase(conns, make_command, seconds):
    stop = threading.Event()
    counts = [0] * len(conns)

    def worker(i):
        k = 0
        while not stop.is_set():
            conns[i].run(make_command(i, k))
            k += 1
            counts[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(conns))]
    start = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--value-bytes", type=int, default=256)
    ap.add_argument("--results")
    args = ap.parse_args()
    value = "v" * args.value_bytes
    commands = {
        "noop": lambda i, k: "NOOP",
        "setmetadata": lambda i, k: 'SETMETADATA INBOX (/shared/bench/e%d "%s%d")'
        % (k % 16, value, k),
        "getmetadata": lambda i, k: "GETMETADATA INBOX (DEPTH infinity) /shared",
    }
    rates = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as tmp, Mailroomd(
            tmp, tls=False, plugins=("imap",), allow_plaintext_auth=True) as server:
        users = ["bench%d" % i for i in range(args.clients)]
        for u in users:
            server.add_user(u, "pw")
        conns = [Conn(server.imap_port, u) for u in users]
        phase(conns, commands["setmetadata"], 1)  # warm up, fill 16 entries
        for _ in range(args.rounds):
            for name, make in commands.items():
                rates[name].append(phase(conns, make, args.seconds))
    medians = {name: statistics.median(r) for name, r in rates.items()}
    result = {
        "clients": args.clients,
        "value_bytes": args.value_bytes,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "per_s_median": {k: round(v, 1) for k, v in medians.items()},
        "ratio_to_noop": {k: round(v / medians["noop"], 3)
                          for k, v in medians.items()},
        "per_s_rounds": {k: [round(x, 1) for x in v] for k, v in rates.items()},
    }
    print(json.dumps(result, indent=2))
    if args.results:
        with open(args.results, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
