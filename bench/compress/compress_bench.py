#!/usr/bin/env python3
"""COMPRESS=DEFLATE: bytes on the wire, FETCH throughput and memory.

Starts a fresh mailroomd (tests/harness) for each compressor setting, loads
MESSAGES corpus messages ($HOME/.cache/mailroom/corpus, see
scripts/fetch_corpus.sh) into one INBOX, then:
  - FETCH 1:* BODY.PEEK[] over one connection, plain and compressed
    (ROUNDS rounds each, medians): wire bytes, MB/s of message data;
  - SESSIONS sessions that log in, SELECT, FETCH 20 bodies and then sit
    idle, plain and compressed, each mode on a fresh daemon: the daemon's
    VmRSS growth per session.

    bazel build //tools:mailroomd //tools:mailroomctl \\
        //protocols/imap:libmailroom_imap.so
    MAILROOM_BIN_DIR=$PWD/bazel-bin python3 bench/compress/compress_bench.py

Settings: MESSAGES (2000), ROUNDS (3), SESSIONS (200), CONFIGS
("12:5:6,15:8:6": window_bits:memory_level:level, one daemon each),
IDLE_SECONDS (5: how long the sessions sit idle before the RSS reading).
"""

import os
import socket
import statistics
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", ".."))
from tests.harness.mailroomd import Mailroomd  # noqa: E402

CORPUS = os.path.expanduser("~/.cache/mailroom/corpus")
IDLE_SECONDS = float(os.environ.get("IDLE_SECONDS", "5"))


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.wire_in = 0
        self.plain_in = 0
        self.inflater = None
        self.deflater = None
        self.n = 0
        self.line()

    def fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("closed")
        self.wire_in += len(chunk)
        if self.inflater:
            chunk = self.inflater.decompress(chunk)
        self.plain_in += len(chunk)
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def send(self, data):
        if self.deflater:
            data = self.deflater.compress(data) + self.deflater.flush(
                zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def command(self, text, literal_bytes=None):
        """Sends a command; skips literals in responses quickly."""
        self.n += 1
        tag = b"b%d" % self.n
        self.send(tag + b" " + text + b"\r\n")
        while True:
            line = self.line()
            if line.endswith(b"}") and b"{" in line:
                size = int(line[line.rindex(b"{") + 1:-1])
                while len(self.buf) < size:
                    self.fill()
                self.buf = self.buf[size:]
                continue
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line)
                return line

    def compress(self):
        self.command(b"COMPRESS DEFLATE")
        self.deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.inflater = zlib.decompressobj(-15)


def corpus_messages(limit):
    out = []
    for folder in sorted(os.listdir(CORPUS)):
        d = os.path.join(CORPUS, folder)
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            if data:
                out.append(data)
            if len(out) >= limit:
                return out
    return out


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fetch_round(port, compressed):
    c = Client(port)
    c.command(b'LOGIN bench "bench pw"')
    if compressed:
        c.compress()
    c.command(b"SELECT INBOX")
    wire0, plain0 = c.wire_in, c.plain_in
    start = time.monotonic()
    c.command(b"FETCH 1:* BODY.PEEK[]")
    elapsed = time.monotonic() - start
    c.sock.close()
    return c.wire_in - wire0, c.plain_in - plain0, elapsed


def load(server, messages):
    server.add_user("bench", "bench pw")
    loader = Client(server.imap_port)
    loader.command(b'LOGIN bench "bench pw"')
    for data in messages:
        loader.send(b"a APPEND INBOX {%d+}\r\n" % len(data) + data + b"\r\n")
        loader.line()
    loader.sock.close()


def idle_rss_per_session(flags, messages, count, compressed):
    """A fresh daemon per measurement, so one mode's freed memory does not
    flatter the other: COUNT sessions log in, SELECT, FETCH 20 bodies and
    then sit idle; the daemon's VmRSS growth per session."""
    with tempfile.TemporaryDirectory() as tmp, Mailroomd(
            tmp, tls=False, plugins=("imap",), extra_flags=flags) as server:
        load(server, messages[:20])
        time.sleep(2)
        before = rss_kib(server.pid)
        clients = []
        for _ in range(count):
            c = Client(server.imap_port)
            c.command(b'LOGIN bench "bench pw"')
            if compressed:
                c.compress()
            c.command(b"SELECT INBOX")
            c.command(b"FETCH 1:20 BODY.PEEK[]")
            clients.append(c)
        # Past the 2 s after which an idle session frees its compressor.
        time.sleep(IDLE_SECONDS)
        after = rss_kib(server.pid)
        for c in clients:
            c.sock.close()
        return (after - before) * 1024 / count


def run_config(window, memlevel, level, messages, rounds, sessions):
    flags = ["--compress_window_bits=%d" % window,
             "--compress_memory_level=%d" % memlevel,
             "--compress_level=%d" % level, "--max_connections_per_ip=0"]
    with tempfile.TemporaryDirectory() as tmp, Mailroomd(
            tmp, tls=False, plugins=("imap",), extra_flags=flags) as server:
        load(server, messages)
        result = {}
        for compressed in (False, True):
            rows = [fetch_round(server.imap_port, compressed)
                    for _ in range(rounds)]
            wire = statistics.median(r[0] for r in rows)
            plain = statistics.median(r[1] for r in rows)
            secs = statistics.median(r[2] for r in rows)
            result[compressed] = (wire, plain, secs)
    rss = {c: idle_rss_per_session(flags, messages, sessions, c)
           for c in (False, True)}
    print("\n## window_bits=%d memory_level=%d level=%d "
          "(%d messages, %.1f MB of responses)"
          % (window, memlevel, level, len(messages), result[False][1] / 1e6))
    print("| | wire bytes | ratio | FETCH s (median of %d) | MB/s of "
          "responses | RSS per idle session |" % rounds)
    print("|---|---:|---:|---:|---:|---:|")
    for compressed in (False, True):
        wire, plain, secs = result[compressed]
        print("| %s | %d | %.3f | %.2f | %.1f | %.1f KiB |" % (
            "COMPRESS" if compressed else "plain", wire, wire / plain,
            secs, plain / secs / 1e6, rss[compressed] / 1024))
    sys.stdout.flush()


def main():
    limit = int(os.environ.get("MESSAGES", "2000"))
    rounds = int(os.environ.get("ROUNDS", "3"))
    sessions = int(os.environ.get("SESSIONS", "200"))
    configs = os.environ.get("CONFIGS", "12:5:6,15:8:6")
    messages = corpus_messages(limit)
    print("load average at start: %s" % open("/proc/loadavg").read().strip())
    for config in configs.split(","):
        window, memlevel, level = (int(x) for x in config.split(":"))
        run_config(window, memlevel, level, messages, rounds, sessions)


if __name__ == "__main__":
    main()
