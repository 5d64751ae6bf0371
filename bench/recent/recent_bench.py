#!/usr/bin/env python3
"""What claiming \\Recent costs a SELECT.

A read-write SELECT claims \\Recent in one store transaction (the mailbox's
"claimed up to UID" value, advanced under the mailbox lock); EXAMINE only
reads it, so EXAMINE costs what SELECT cost before SELECT claimed anything.
On a fresh mailroomd (RocksDB, IMAP only), one user with --messages messages
in INBOX, three loops of --rounds commands each, timed per command:

  examine        EXAMINE INBOX + CLOSE        (no claim: the baseline)
  select         SELECT INBOX + CLOSE         (claim, nothing new: no write)
  select_new     APPEND of one message by a second connection, then
                 SELECT INBOX + CLOSE         (claim with a write; only the
                                               SELECT is timed)

Prints the median and p90 in milliseconds and the ratio of each median to
examine's, and writes them to --results as JSON.

  python3 bench/recent/recent_bench.py [--messages 1000] [--rounds 300]
      [--results FILE]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and the IMAP plugin built
(bazel build //tools:mailroomd //tools:mailroomctl
//protocols/imap:libmailroom_imap.so). Loopback only."""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
from tests.harness.mailroomd import Mailroomd  # noqa: E402
from tests.imap.e2e.imap_client import ImapClient, message  # noqa: E402


def timed(client, command):
    start = time.perf_counter()
    client.ok(command)
    return (time.perf_counter() - start) * 1000.0


def summary(samples, base):
    median = statistics.median(samples)
    p90 = sorted(samples)[int(len(samples) * 0.9) - 1]
    return {"median_ms": round(median, 3), "p90_ms": round(p90, 3),
            "ratio_to_examine": round(median / base, 3) if base else None}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--results")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, \
            Mailroomd(tmp, tls=False, plugins=("imap",),
                      allow_plaintext_auth=True) as server:
        server.add_user("bench", "pw")
        reader = ImapClient(server.imap_port)
        reader.login("bench", "pw")
        writer = ImapClient(server.imap_port)
        writer.login("bench", "pw")
        for i in range(args.messages):
            writer.append("INBOX", message("m%d" % i))

        samples = {"examine": [], "select": [], "select_new": []}
        # One warm-up SELECT claims what the set-up appended.
        reader.ok("SELECT INBOX")
        reader.ok("CLOSE")
        for _ in range(args.rounds):
            samples["examine"].append(timed(reader, "EXAMINE INBOX"))
            reader.ok("CLOSE")
            samples["select"].append(timed(reader, "SELECT INBOX"))
            reader.ok("CLOSE")
            writer.append("INBOX", message("new"))
            samples["select_new"].append(timed(reader, "SELECT INBOX"))
            reader.ok("CLOSE")
        reader.close()
        writer.close()

    base = statistics.median(samples["examine"])
    report = {"messages": args.messages, "rounds": args.rounds,
              "loadavg": os.getloadavg()[0]}
    for name, values in samples.items():
        report[name] = summary(values, base)
    print(json.dumps(report, indent=2))
    if args.results:
        with open(args.results, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
