#!/usr/bin/env python3
"""ESORT and CONTEXT (RFC 5267): SORT RETURN (...) against a plain SORT,
PARTIAL pages against the full result, and what a live UPDATE context
costs a flag change.

Starts a fresh mailroomd (tests/harness/mailroomd.py, binaries from
bazel-bin or MAILROOM_BIN_DIR), appends --messages (default 5000) small
messages to INBOX (MULTIAPPEND batches of 500), then runs each of

  sort        UID SORT (ARRIVAL) UTF-8 ALL
  esort_all   UID SORT RETURN () (ARRIVAL) UTF-8 ALL    (ranges in ALL)
  esort_minmax UID SORT RETURN (MIN MAX COUNT) (SUBJECT) UTF-8 ALL
  sort_subject UID SORT (SUBJECT) UTF-8 ALL
  partial_arrival UID SORT RETURN (PARTIAL 1:50) (ARRIVAL) UTF-8 ALL
  partial_subject UID SORT RETURN (PARTIAL 1:50) (SUBJECT) UTF-8 ALL
  search_partial  UID SEARCH RETURN (PARTIAL 1:50) ALL

--runs times (default 7) and prints the median time and response bytes.
Then it times UID STORE +FLAGS/-FLAGS (\\Seen) on one message without a
live context, and with UID SORT RETURN (UPDATE) (SUBJECT) UTF-8 UNSEEN
live: each STORE's completion then carries a REMOVEFROM or ADDTO, found by
re-testing that one message and re-sorting the cached sort values.

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
    ("partial_arrival", b"UID SORT RETURN (PARTIAL 1:50) (ARRIVAL) UTF-8 ALL"),
    ("partial_subject", b"UID SORT RETURN (PARTIAL 1:50) (SUBJECT) UTF-8 ALL"),
    ("search_partial", b"UID SEARCH RETURN (PARTIAL 1:50) ALL"),
]


def timed(client, command, runs):
    """Median seconds and response bytes of `command` (bytes or a
    function of the run number giving bytes)."""
    times, sizes = [], []
    for run in range(runs):
        text = command(run) if callable(command) else command
        received = client.received
        start = time.perf_counter()
        client.command(text)
        times.append(time.perf_counter() - start)
        sizes.append(client.received - received)
    return statistics.median(times), statistics.median(sizes)


def flip_seen(run):
    return b"UID STORE 2500 %sFLAGS (\\Seen)" % (b"+" if run % 2 == 0 else b"-")


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
            seconds, size = timed(client, command, args.runs)
            print("  %-16s %8.1f ms  %9d response bytes" %
                  (name, seconds * 1000, size))
        runs = args.runs * 2  # even: the flag ends as it started
        seconds, size = timed(client, flip_seen, runs)
        print("  %-16s %8.1f ms  %9d response bytes" %
              ("store_plain", seconds * 1000, size))
        client.command(b"UID SORT RETURN (UPDATE) (SUBJECT) UTF-8 UNSEEN")
        seconds, size = timed(client, flip_seen, runs)
        print("  %-16s %8.1f ms  %9d response bytes" %
              ("store_context", seconds * 1000, size))


if __name__ == "__main__":
    main()
