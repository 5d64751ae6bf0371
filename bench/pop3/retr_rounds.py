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
RETR round is reported too; --json PATH keeps every round. Standard
library only.
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
    t0 = time.perf_counter()
    for i in range(1, n + 1):
        octets += p.cmd("RETR %d" % i, multi=True)[1]
    retr = time.perf_counter() - t0
    cpu = cpu_seconds(pid) - cpu0
    p.cmd("QUIT")
    p.sock.close()
    return {"messages": n, "login_stat_s": login, "uidl_s": uidl,
            "retr_s": retr, "retr_msgs_per_s": n / retr,
            "retr_mb_per_s": octets / retr / 1e6,
            "server_cpu_us_per_retr": cpu / n * 1e6 if pid else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("targets", nargs="+", help="LABEL=HOST:PORT")
    ap.add_argument("--user", default="user1")
    ap.add_argument("--password", default="pass")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pid", action="append", default=[],
                    help="LABEL=PID of a server, for its CPU time")
    ap.add_argument("--json", help="also write every round to this file")
    args = ap.parse_args()
    targets = []
    for t in args.targets:
        label, _, address = t.partition("=")
        host, _, port = address.rpartition(":")
        targets.append((label, host, int(port)))
    pids = {k: int(v) for k, _, v in (p.partition("=") for p in args.pid)}
    results = {label: [] for label, _, _ in targets}
    for r in range(args.rounds):
        for label, host, port in targets:
            res = one_round(host, port, args.user, args.password,
                            pids.get(label))
            results[label].append(res)
            print("round %d %-10s login+STAT %.3f s  UIDL %.3f s  RETR %.3f s"
                  " (%.0f msg/s)" % (r + 1, label, res["login_stat_s"],
                                     res["uidl_s"], res["retr_s"],
                                     res["retr_msgs_per_s"]),
                  file=sys.stderr, flush=True)
    summary = {}
    for label, rounds in results.items():
        summary[label] = {
            k: statistics.median(x[k] for x in rounds)
            for k in rounds[0] if rounds[0][k] is not None}
    peer = targets[-1][0]
    print("%-10s %12s %10s %12s %14s" % ("target", "login+STAT s", "UIDL s",
                                          "RETR msg/s", "RETR vs " + peer))
    for label, s in summary.items():
        print("%-10s %12.3f %10.3f %12.0f %14.2f" % (
            label, s["login_stat_s"], s["uidl_s"], s["retr_msgs_per_s"],
            s["retr_msgs_per_s"] / summary[peer]["retr_msgs_per_s"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rounds": results, "medians": summary}, f, indent=1)


if __name__ == "__main__":
    main()
