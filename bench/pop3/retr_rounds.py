#!/usr/bin/env python3
"""POP3 download rounds against one or more running servers, interleaved.

Each round logs in (USER/PASS, STAT), runs UIDL and then RETR of every
message in order on one connection, one command at a time (how a client
downloads a maildrop), for every target in turn. Interleaving the targets
round by round lets a busy machine's noise fall on all of them alike; the
medians and the ratios to the last target are printed at the end.

    retr_rounds.py --rounds 5 --user user1 --password pass \\
        new=127.0.0.1:15110 old=127.0.0.1:15210 dovecot=127.0.0.1:16110

With --pid LABEL=PID the server's CPU time (user+system, from /proc) per
RETR round is reported too; --json PATH keeps every round. With
--imap LABEL=HOST:PORT each round first clears \\Seen in that target's
INBOX over IMAP, so every round is a first download (the server records
retrievals and \\Seen as it goes). Each round also reports its slowest RETR
and, after the download, the round trip of as many NOOPs on the same
connection: the floor a one-command-at-a-time client cannot go below.
Standard library only.
"""
import argparse
import json
import socket
import statistics
import sys
import time


class Pop3:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=300)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        if not self.line().startswith(b"+OK"):
            raise SystemExit("no POP3 greeting from %s:%d" % (host, port))

    def fill(self):
        data = self.sock.recv(1 << 18)
        if not data:
            raise SystemExit("connection closed")
        self.buf += data

    def line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                out = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return out
            self.fill()

    def multi(self):
        if self.buf.startswith(b".\r\n"):
            del self.buf[:3]
            return 0
        start = 0
        while True:
            i = self.buf.find(b"\r\n.\r\n", start)
            if i >= 0:
                del self.buf[:i + 5]
                return i + 2
            start = max(0, len(self.buf) - 4)
            self.fill()

    def cmd(self, text, multi=False):
        self.sock.sendall(text.encode() + b"\r\n")
        status = self.line()
        if not status.startswith(b"+OK"):
            raise SystemExit("%s -> %r" % (text.split()[0], status))
        return status, (self.multi() if multi else None)


def cpu_seconds(pid):
    if pid is None:
        return 0.0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def clear_seen(host, port, user, password):
    sock = socket.create_connection((host, port), timeout=300)
    f = sock.makefile("rb")
    f.readline()
    for tag, command in (("a", "LOGIN %s %s" % (user, password)),
                         ("b", "SELECT INBOX"),
                         ("c", "STORE 1:* -FLAGS.SILENT (\\Seen)"),
                         ("d", "LOGOUT")):
        sock.sendall(("%s %s\r\n" % (tag, command)).encode())
        while True:
            line = f.readline()
            if not line:
                raise SystemExit("IMAP connection closed")
            if line.startswith(tag.encode() + b" "):
                if command != "LOGOUT" and b" OK" not in line[:5]:
                    raise SystemExit("%s -> %r" % (command, line))
                break
    sock.close()


def one_round(host, port, user, password, pid):
    t0 = time.perf_counter()
    p = Pop3(host, port)
    p.cmd("USER " + user)
    p.cmd("PASS " + password)
    n = int(p.cmd("STAT")[0].split()[1])
    login = time.perf_counter() - t0
    t0 = time.perf_counter()
    p.cmd("UIDL", multi=True)
    uidl = time.perf_counter() - t0
    cpu0 = cpu_seconds(pid)
    octets = 0
    slowest = 0.0
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        t1 = time.perf_counter()
        octets += p.cmd("RETR %d" % i, multi=True)[1]
        slowest = max(slowest, time.perf_counter() - t1)
    retr = time.perf_counter() - t0
    cpu = cpu_seconds(pid) - cpu0
    t0 = time.perf_counter()
    for _ in range(n):
        p.cmd("NOOP")
    noop = time.perf_counter() - t0
    p.cmd("QUIT")
    p.sock.close()
    return {"messages": n, "login_stat_s": login, "uidl_s": uidl,
            "retr_s": retr, "retr_msgs_per_s": n / retr,
            "retr_mb_per_s": octets / retr / 1e6,
            "slowest_retr_ms": slowest * 1e3, "noop_us": noop / n * 1e6,
            "server_cpu_us_per_retr": cpu / n * 1e6 if pid else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="+", help="LABEL=HOST:PORT")
    ap.add_argument("--user", default="user1")
    ap.add_argument("--password", default="pass")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pid", action="append", default=[],
                    help="LABEL=PID of a server, for its CPU time")
    ap.add_argument("--imap", action="append", default=[],
                    help="LABEL=HOST:PORT: clear \\Seen there before each round")
    ap.add_argument("--json", help="also write every round to this file")
    args = ap.parse_args()
    targets = []
    for t in args.targets:
        label, _, address = t.partition("=")
        host, _, port = address.rpartition(":")
        targets.append((label, host, int(port)))
    pids = {k: int(v) for k, _, v in (p.partition("=") for p in args.pid)}
    imap = {}
    for t in args.imap:
        label, _, address = t.partition("=")
        host, _, port = address.rpartition(":")
        imap[label] = (host, int(port))
    results = {label: [] for label, _, _ in targets}
    for r in range(args.rounds):
        for label, host, port in targets:
            if label in imap:
                clear_seen(*imap[label], args.user, args.password)
            res = one_round(host, port, args.user, args.password,
                            pids.get(label))
            results[label].append(res)
            print("round %d %-10s login+STAT %.3f s  UIDL %.3f s  RETR %.3f s"
                  " (%.0f msg/s, slowest %.1f ms)  NOOP %.0f us" % (
                      r + 1, label, res["login_stat_s"], res["uidl_s"],
                      res["retr_s"], res["retr_msgs_per_s"],
                      res["slowest_retr_ms"], res["noop_us"]),
                  file=sys.stderr, flush=True)
    summary = {}
    for label, rounds in results.items():
        summary[label] = {
            k: statistics.median(x[k] for x in rounds)
            for k in rounds[0] if rounds[0][k] is not None}
    peer = targets[-1][0]
    print("%-10s %12s %10s %12s %14s %12s %8s %12s" % (
        "target", "login+STAT s", "UIDL s", "RETR msg/s", "RETR vs " + peer,
        "slowest ms", "NOOP us", "CPU us/RETR"))
    for label, s in summary.items():
        print("%-10s %12.3f %10.3f %12.0f %14.2f %12.1f %8.0f %12s" % (
            label, s["login_stat_s"], s["uidl_s"], s["retr_msgs_per_s"],
            s["retr_msgs_per_s"] / summary[peer]["retr_msgs_per_s"],
            s["slowest_retr_ms"], s["noop_us"],
            "%.0f" % s["server_cpu_us_per_retr"]
            if "server_cpu_us_per_retr" in s else "-"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rounds": results, "medians": summary}, f, indent=1)


if __name__ == "__main__":
    main()
