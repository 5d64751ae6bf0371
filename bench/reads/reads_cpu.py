#!/usr/bin/env python3
"""Server CPU per read: FETCH 1:* of header items and texts, POP3 downloads.

Wall-clock figures on a shared, loaded machine mostly measure the client
and the scheduler; the CPU time the daemon spends (utime + stime from
/proc, read before and after) is what a change to the read paths moves.
For each --variants NAME=DIR (DIR holds tools/mailroomd and
protocols/*/libmailroom_*.so, e.g. copies of bazel-bin from two commits),
the variants are started in turn on one data directory and measured with
the same raw client, --rounds times, interleaved:

  FETCH 1:* (BODYSTRUCTURE)
  FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)
  FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])
  FETCH 1:* (BODY.PEEK[HEADER])
  POP3 USER/PASS, then RETR of every message

each fetch --fetches times after one warming fetch; the figure is server
milliseconds of CPU per command (per whole download for POP3), and the
client's wall time beside it, and for FETCH the time until the reply's
first bytes arrive (while the client waits for them it has nothing to
parse). Each POP3 download is a first one: \\Seen is cleared over IMAP
before it, so the server records retrievals and \\Seen as it goes.

  python3 bench/reads/reads_cpu.py --data DIR --variants base=/tmp/a,new=/tmp/b
      [--rounds 3] [--fetches 20] [--port_base 16500]

DIR must hold a store with user1/pass and a filled INBOX (for instance
the store `bench/mailbench/run.sh` fills, or mailbench.py deliver against
a daemon on DIR). Loopback only.
"""
import argparse
import os
import socket
import statistics
import subprocess
import time

ITEMS = [
    "(BODYSTRUCTURE)",
    "(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)",
    "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])",
    "(BODY.PEEK[HEADER])",
]


class Daemon:
    def __init__(self, root, data, port_base):
        self.imap_port = port_base + 143
        self.pop3_port = port_base + 110
        self.proc = subprocess.Popen(
            [os.path.join(root, "tools/mailroomd"), "--data_dir=" + data,
             "--plugin_dir=" + ",".join(
                 os.path.join(root, "protocols", p)
                 for p in ("imap", "pop3", "lmtp")),
             "--listen=127.0.0.1", "--imap_port=%d" % self.imap_port,
             "--imaps_port=0", "--pop3_port=%d" % self.pop3_port,
             "--pop3s_port=0", "--lmtp_port=%d" % (port_base + 24),
             "--allow_plaintext_auth", "--max_connections_per_ip=0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.imap_port)).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("mailroomd did not start")

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Client:
    """Reads replies in large pieces without parsing them."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.first_byte = None  # when the last command's reply began
        self.until(b"\r\n")

    def until(self, marker):
        start = 0
        while True:
            i = self.buf.find(marker, start)
            if i >= 0:
                del self.buf[:i + len(marker)]
                return
            start = max(0, len(self.buf) - len(marker))
            data = self.sock.recv(1 << 20)
            if not data:
                raise SystemExit("connection closed")
            if self.first_byte is None:
                self.first_byte = time.perf_counter()
            self.buf += data

    def imap(self, tag, command):
        """Returns the seconds until the reply's first bytes arrived."""
        sent = time.perf_counter()
        self.first_byte = None
        self.sock.sendall(("%s %s\r\n" % (tag, command)).encode())
        # The tagged line is the last of the reply.
        self.until(("%s OK" % tag).encode())
        self.until(b"\r\n")
        return (self.first_byte or time.perf_counter()) - sent


def fetch_figure(daemon, items, fetches):
    c = Client(daemon.imap_port)
    c.imap("a", "LOGIN user1 pass")
    c.imap("b", "EXAMINE INBOX")
    c.imap("w", "FETCH 1:* " + items)
    cpu0, t0 = daemon.cpu_seconds(), time.perf_counter()
    first = [c.imap("f%d" % i, "FETCH 1:* " + items) for i in range(fetches)]
    wall = time.perf_counter() - t0
    cpu = daemon.cpu_seconds() - cpu0
    c.sock.close()
    return (1000 * cpu / fetches, 1000 * wall / fetches,
            1000 * statistics.median(first))


def pop3_figure(daemon):
    imap = Client(daemon.imap_port)
    imap.imap("a", "LOGIN user1 pass")
    imap.imap("b", "SELECT INBOX")
    imap.imap("c", "STORE 1:* -FLAGS.SILENT (\\Seen)")
    imap.sock.close()
    c = Client(daemon.pop3_port)
    for line in ("USER user1", "PASS pass"):
        c.sock.sendall(line.encode() + b"\r\n")
        c.until(b"\r\n")
    c.sock.sendall(b"STAT\r\n")
    while b"\r\n" not in c.buf:
        c.buf += c.sock.recv(1 << 16)
    count = int(bytes(c.buf).split()[1])
    c.until(b"\r\n")
    cpu0, t0 = daemon.cpu_seconds(), time.perf_counter()
    for n in range(1, count + 1):
        c.sock.sendall(b"RETR %d\r\n" % n)
        c.until(b"\r\n")
        c.until(b"\r\n.\r\n")
    wall = time.perf_counter() - t0
    cpu = daemon.cpu_seconds() - cpu0
    c.sock.sendall(b"QUIT\r\n")
    c.sock.close()
    return 1000 * cpu, 1000 * wall, None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--variants", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fetches", type=int, default=20)
    parser.add_argument("--port_base", type=int, default=16500)
    args = parser.parse_args()
    variants = [v.split("=", 1) for v in args.variants.split(",")]
    figures = {}  # (variant, figure) -> [(cpu_ms, wall_ms)]
    for _ in range(args.rounds):
        for name, root in variants:
            daemon = Daemon(root, args.data, args.port_base)
            try:
                for items in ITEMS:
                    figures.setdefault((name, "FETCH 1:* " + items), []).append(
                        fetch_figure(daemon, items, args.fetches))
                figures.setdefault((name, "POP3 RETR all"), []).append(
                    pop3_figure(daemon))
            finally:
                daemon.stop()
    print("%-58s %-8s %12s %12s %14s" % ("figure", "variant", "cpu ms",
                                         "wall ms", "first byte ms"))
    for figure in ["FETCH 1:* " + i for i in ITEMS] + ["POP3 RETR all"]:
        for name, _ in variants:
            runs = figures[(name, figure)]
            first = [r[2] for r in runs if r[2] is not None]
            print("%-58s %-8s %12.1f %12.1f %14s" % (
                figure, name, statistics.median(r[0] for r in runs),
                statistics.median(r[1] for r in runs),
                "%.2f" % statistics.median(first) if first else "-"))
    print("load average: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
