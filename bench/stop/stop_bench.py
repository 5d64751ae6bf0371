#!/usr/bin/env python3
"""How long mailroomd takes to stop (SIGTERM to exit) right after a large
import, and how much of the full-text index queue it leaves for the next
start. A fresh daemon per round; medians over ROUNDS.

    bazel build //tools:mailroomd //tools:mailroomctl
    MAILROOM_BIN_DIR=$PWD/bazel-bin MESSAGES=10000 BODY_WORDS=500 ROUNDS=3 \\
        python3 bench/stop/stop_bench.py
"""

import os
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", ".."))
from tests.harness.mailroomd import Mailroomd  # noqa: E402

MESSAGES = int(os.environ.get("MESSAGES", "10000"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
BODY_WORDS = int(os.environ.get("BODY_WORDS", "500"))


def mbox(path):
    rng = random.Random(7)
    vocabulary = ["w%05d" % n for n in range(20000)]
    with open(path, "wb") as f:
        for i in range(MESSAGES):
            words = " ".join(rng.choice(vocabulary) for _ in range(BODY_WORDS))
            f.write(b"From sender@example.com Sat Jan  3 01:05:34 2026\n"
                    b"From: sender@example.com\nSubject: stop %d\n\n"
                    b"a message about numbats, number %d\n%s\n\n" %
                    (i, i, words.encode()))


def queued(server):
    out = server.ctl("index", "status", "dana", "--format=plain").stdout
    return sum(int(line.split(" ")[1]) for line in out.splitlines()
               if line.startswith("dana "))


def one_round():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "mail.mbox")
        mbox(path)
        server = Mailroomd(tmp, tls=False, plugins=())
        with server:
            server.add_user("dana", "pw")
            server.ctl("import", "mbox", path, "--user", "dana")
            start = time.monotonic()
            code = server.stop(timeout=600)
            seconds = time.monotonic() - start
            assert code == 0, server.log()
            return seconds, queued(server)


def main():
    results = [one_round() for _ in range(ROUNDS)]
    for seconds, left in results:
        print("stop %.2f s, %d of %d index items left queued" %
              (seconds, left, MESSAGES))
    print("median stop %.2f s (load %s)" % (
        statistics.median(s for s, _ in results),
        open("/proc/loadavg").read().split()[0]))


if __name__ == "__main__":
    main()
