#!/usr/bin/env python3
"""Forwarding an attachment: CATENATE (RFC 4469) against download + APPEND.

Starts a fresh mailroomd (tests/harness/mailroomd.py, binaries from
bazel-bin or MAILROOM_BIN_DIR), stores one message with an attachment of
ATTACHMENT_MB (default 5) MiB, then RUNS (default 7) times builds a new
message holding that attachment in two ways:

  download  FETCH BODY.PEEK[2.MIME] and BODY.PEEK[2], then APPEND a message
            made of a new header, those bytes and the closing boundary;
  catenate  APPEND ... CATENATE (TEXT header, URL 2.MIME, URL 2, TEXT end).

It reports the median wall time of each and the bytes each moved on the
wire (client to server and back), and checks that both stored messages are
identical.

    bazel build //tools:mailroomd //tools:mailroomctl \\
        //protocols/imap:libmailroom_imap.so
    python3 bench/catenate/catenate_bench.py [--attachment_mb=5] [--runs=7]
"""

import argparse
import base64
import os
import re
import socket
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
os.environ.setdefault("MAILROOM_BIN_DIR", os.path.join(ROOT, "bazel-bin"))

from tests.harness.mailroomd import Mailroomd  # noqa: E402

LITERAL = re.compile(rb"\{(\d+)\}$")
BOUNDARY = "=_bench_boundary"


class Client:
    """A raw IMAP client that counts the bytes it sends and receives."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.sent = 0
        self.received = 0
        self.tag = 0
        self.line()

    def send(self, data):
        self.sent += len(data)
        self.sock.sendall(data)

    def fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("closed")
        self.received += len(chunk)
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def response_line(self):
        """A line with its literals; returns (text, [literal bytes])."""
        line = self.line()
        literals = []
        while True:
            m = LITERAL.search(line)
            if not m:
                return line, literals
            n = int(m.group(1))
            while len(self.buf) < n:
                self.fill()
            literals.append(self.buf[:n])
            self.buf = self.buf[n:]
            line = self.line()

    def command(self, text):
        self.tag += 1
        tag = b"b%d" % self.tag
        self.send(tag + b" " + text + b"\r\n")
        literals = []
        while True:
            line, lits = self.response_line()
            literals += lits
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line.decode(errors="replace"))
                return line, literals


def literal(data):
    return b"{%d+}\r\n" % len(data) + data


def source_message(size):
    raw = os.urandom(size * 3 // 4)
    encoded = base64.encodebytes(raw).replace(b"\n", b"\r\n")
    return (b"From: a@example.org\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"" + BOUNDARY.encode() +
            b"\"\r\n\r\n--" + BOUNDARY.encode() + b"\r\nContent-Type: "
            b"text/plain\r\n\r\nSee attached.\r\n--" + BOUNDARY.encode() +
            b"\r\nContent-Type: application/octet-stream; name=r.bin\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded + b"--" +
            BOUNDARY.encode() + b"--\r\n")


HEAD = ("From: b@example.org\r\nSubject: Fwd: report\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"" + BOUNDARY + "\"\r\n\r\n"
        "--" + BOUNDARY + "\r\nContent-Type: text/plain\r\n\r\nFYI.\r\n--" +
        BOUNDARY + "\r\n").encode()
TAIL = ("\r\n--" + BOUNDARY + "--\r\n").encode()


def by_download(client, uid):
    _, lits = client.command(b"UID FETCH %d (BODY.PEEK[2.MIME] BODY.PEEK[2])"
                             % uid)
    mime, body = lits
    line, _ = client.command(b"APPEND Forwarded " + literal(HEAD + mime + body +
                                                       TAIL))
    return line


def by_catenate(client, uid, uidvalidity):
    url = b"/INBOX;UIDVALIDITY=%d/;UID=%d" % (uidvalidity, uid)
    line, _ = client.command(
        b"APPEND Forwarded CATENATE (TEXT " + literal(HEAD) + b' URL "' + url +
        b'/;SECTION=2.MIME" URL "' + url + b'/;SECTION=2" TEXT ' +
        literal(TAIL) + b")")
    return line


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--attachment_mb", type=float, default=5)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    size = int(args.attachment_mb * (1 << 20))
    with tempfile.TemporaryDirectory() as tmp, \
            Mailroomd(tmp, plugins=("imap",)) as server:
        server.add_user("bench", "bench-password")
        client = Client(server.imap_port)
        client.command(b'LOGIN bench "bench-password"')
        client.command(b"CREATE Forwarded")
        line, _ = client.command(b"APPEND INBOX " +
                                 literal(source_message(size)))
        uidvalidity, uid = map(int, re.search(
            rb"APPENDUID (\d+) (\d+)", line).groups())
        client.command(b"SELECT INBOX")
        results = {}
        for name in ("download", "catenate"):
            times, wire = [], []
            for _ in range(args.runs):
                sent, received = client.sent, client.received
                start = time.perf_counter()
                if name == "download":
                    by_download(client, uid)
                else:
                    by_catenate(client, uid, uidvalidity)
                times.append(time.perf_counter() - start)
                wire.append(client.sent - sent + client.received - received)
            results[name] = (statistics.median(times), statistics.median(wire))
        # Both ways store the same message.
        client.command(b"EXAMINE Forwarded")
        _, lits = client.command(
            b"FETCH 1,%d (BODY.PEEK[])" % (args.runs + 1))
        assert len(lits) == 2 and lits[0] == lits[1], "messages differ"
        print("attachment %.1f MiB, %d runs each, medians" %
              (size / (1 << 20), args.runs))
        for name, (t, w) in results.items():
            print("  %-9s %8.1f ms  %12d bytes on the wire" %
                  (name, t * 1000, w))
        d, c = results["download"], results["catenate"]
        print("  catenate/download: time %.3f, bytes %.5f" %
              (c[0] / d[0], c[1] / d[1]))


if __name__ == "__main__":
    main()
