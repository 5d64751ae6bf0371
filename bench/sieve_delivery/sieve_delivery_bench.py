#!/usr/bin/env python3
"""LMTP deliveries per second with a 50-rule Sieve script and without one.

Starts a fresh mailroomd (tests/harness/mailroomd.py, binaries from
bazel-bin or MAILROOM_BIN_DIR) with two users: `plain` (no script) and
`helpdesk` (helpdesk50.sieve active, installed with `mailroomctl sieve put`
and `activate`). The same corpus of --messages messages is delivered over
one LMTP connection to each user in turn, --rounds times (alternating, so
the machine's load drifts alike on both); prints the median deliveries/s of
each and their ratio.

    bazel build //tools:mailroomd //tools:mailroomctl \\
        //protocols/lmtp:libmailroom_lmtp.so //protocols/imap:libmailroom_imap.so
    python3 bench/sieve_delivery/sieve_delivery_bench.py [--messages=500] [--rounds=5]

--lmtp_host/--lmtp_port deliver to a server that is already running (a
Dovecot with Pigeonhole, say) instead: its users `plain` and `helpdesk` and
the script must be set up by whoever runs it.
"""

import argparse
import os
import random
import re
import socket
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
os.environ.setdefault("MAILROOM_BIN_DIR", os.path.join(ROOT, "bazel-bin"))

WORDS = ["invoice", "login", "tracking", "return", "crash", "quote", "gdpr",
         "reseller", "press", "resume", "hello", "question", "urgent",
         "outage", "refund"]


def corpus(n, domain):
    """A helpdesk's mail, the same for every run (fixed seed)."""
    rng = random.Random(42)
    out = []
    for i in range(n):
        subject = "%s%s about order %d%s" % (
            "Re: " if i % 4 == 0 else "", rng.choice(WORDS),
            rng.randrange(100000), " [#1234]" if i % 3 == 0 else "")
        head = ("From: Someone <user%d@customer%d.example>\r\n"
                "To: support@%s\r\nSubject: %s\r\n"
                "Message-ID: <%d.%d@mail.example>\r\n%s"
                "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n" % (
                    rng.randrange(50), rng.randrange(20), domain, subject, i,
                    rng.randrange(1 << 30),
                    "List-Id: <news.example>\r\n" if i % 10 == 0 else ""))
        body = "".join("Dear support, %s is what this line is about.\r\n"
                       % rng.choice(WORDS) for _ in range(30))
        out.append((head + body).encode())
    return out


class Lmtp:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.file = self.sock.makefile("rb")
        self.reply()
        self.sock.sendall(b"LHLO bench.test\r\n")
        self.reply()

    def reply(self):
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("closed")
            if line[3:4] != b"-":
                return line

    def deliver(self, rcpt, data):
        stuffed = re.sub(rb"(?m)^\.", b"..", data)
        self.sock.sendall(b"MAIL FROM:<sender@customer1.example>\r\n"
                          b"RCPT TO:<" + rcpt.encode() + b">\r\nDATA\r\n")
        for _ in range(3):
            line = self.reply()
            if line[:1] not in (b"2", b"3"):
                raise RuntimeError(line)
        self.sock.sendall(stuffed + b".\r\n")
        line = self.reply()
        if not line.startswith(b"250"):
            raise RuntimeError(line)

    def close(self):
        self.sock.sendall(b"QUIT\r\n")
        self.sock.close()


def run(host, port, domain, messages, rounds):
    mails = corpus(messages, domain)
    rates = {"plain": [], "helpdesk": []}
    for _ in range(rounds):
        for user in ("plain", "helpdesk"):
            conn = Lmtp(host, port)
            start = time.monotonic()
            for m in mails:
                conn.deliver("%s@%s" % (user, domain), m)
            rates[user].append(len(mails) / (time.monotonic() - start))
            conn.close()
    for user, values in rates.items():
        print("%-9s median %7.1f deliveries/s  (runs: %s)" % (
            user, statistics.median(values),
            ", ".join("%.1f" % v for v in values)))
    print("helpdesk/plain = %.3f" % (statistics.median(rates["helpdesk"]) /
                                     statistics.median(rates["plain"])))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--lmtp_host", default=None)
    parser.add_argument("--lmtp_port", type=int, default=0)
    parser.add_argument("--domain", default="localhost")
    args = parser.parse_args()
    if args.lmtp_host:
        run(args.lmtp_host, args.lmtp_port, args.domain, args.messages,
            args.rounds)
        return
    from tests.harness.mailroomd import Mailroomd
    with tempfile.TemporaryDirectory() as tmp, \
            Mailroomd(tmp, tls=False) as server:
        server.add_user("plain", "x")
        server.add_user("helpdesk", "x")
        script = os.path.join(HERE, "helpdesk50.sieve")
        server.ctl("sieve", "put", "helpdesk", "helpdesk", script)
        server.ctl("sieve", "activate", "helpdesk", "helpdesk")
        run("127.0.0.1", server.lmtp_port, "localhost", args.messages,
            args.rounds)


if __name__ == "__main__":
    main()
