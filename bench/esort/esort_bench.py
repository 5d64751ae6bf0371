#!/usr/bin/env python3
"""ESORT (RFC 5267 section 3): SORT RETURN (...) against a plain SORT.

Starts a fresh mailroomd (tests/harness/mailroomd.py, binaries from
bazel-bin or MAILROOM_BIN_DIR), appends --messages (default 5000) small
messages to INBOX (MULTIAPPEND batches of 500), then runs each of

  sort        UID SORT (ARRIVAL) UTF-8 ALL
  esort_all   UID SORT RETURN () (ARRIVAL) UTF-8 ALL    (ranges in ALL)
  esort_minmax UID SORT RETURN (MIN MAX COUNT) (SUBJECT) UTF-8 ALL
  sort_subject UID SORT (SUBJECT) UTF-8 ALL

--runs times (default 7) and prints the median time and response bytes.

    bazel build //tools:mailroomd //tools:mailroomctl \\
        //protocols/imap:libmailroom_imap.so
    python3 bench/esort/esort_bench.py [--messages=5000] [--runs=7]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench", "catenate"))
os.environ.setdefault("MAILROOM_BIN_DIR", os.path.join(ROOT, "bazel-bin"))

from catenate_bench import Client, literal  # noqa: E402
from tests.harness.mailroomd import Mailroomd  # noqa: E402

COMMANDS = [
    ("sort", b"UID SORT (ARRIVAL) UTF-8 ALL"),
    ("esort_all", b"UID SORT RETURN () (ARRIVAL) UTF-8 ALL"),
    ("sort_subject", b"UID SORT (SUBJECT) UTF-8 ALL"),
    ("esort_minmax", b"UID SORT RETURN (MIN MAX COUNT) (SUBJECT) UTF-8 ALL"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            Mailroomd(tmp, plugins=("imap",)) as server:
        server.add_user("bench", "bench-password")
        client = Client(server.imap_port)
        client.command(b'LOGIN bench "bench-password"')
        for start in range(0, args.messages, 500):
            batch = b"APPEND INBOX"
            for i in range(start, min(start + 500, args.messages)):
                batch += b" " + literal(
                    b"From: u%d@example.com\r\nSubject: topic %d\r\n\r\n"
                    b"body %d\r\n" % (i % 97, (i * 7919) % 1000, i))
            client.command(batch)
        client.command(b"SELECT INBOX")
        print("%d messages, %d runs each, medians" % (args.messages,
                                                      args.runs))
        for name, command in COMMANDS:
            times, sizes = [], []
            for _ in range(args.runs):
                received = client.received
                start = time.perf_counter()
                client.command(command)
                times.append(time.perf_counter() - start)
                sizes.append(client.received - received)
            print("  %-13s %8.1f ms  %9d response bytes" %
                  (name, statistics.median(times) * 1000,
                   statistics.median(sizes)))


if __name__ == "__main__":
    main()
