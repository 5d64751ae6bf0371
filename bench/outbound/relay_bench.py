#!/usr/bin/env python3
"""Messages per second through the outbound relay worker to a local SMTP
sink.

Each round queues --messages messages (2 KB, one recipient) in a fresh
store with the test helper queue_outbound, starts mailroomd (RocksDB store,
no listeners) with --sieve_smtp pointing at a Python SMTP sink on loopback,
and times from "mailroomd ready" in its log until the sink holds them all.
The figure is the median rate over --rounds. One relay connection per
message; one durable claim per batch of 16 and one durable removal per
message.

  python3 bench/outbound/relay_bench.py [--messages 500] [--rounds 3]
      [--results FILE]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and
bazel-bin/tests/outbound/queue_outbound (bazel build //tools:mailroomd
//tools:mailroomctl //tests/outbound:queue_outbound)."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
from tests.harness.mailroomd import Mailroomd, find_file  # noqa: E402
from tests.outbound.smtp_sink import SmtpSink  # noqa: E402


def one_round(count):
    sink = SmtpSink()
    with tempfile.TemporaryDirectory() as tmp:
        message = os.path.join(tmp, "m.eml")
        with open(message, "wb") as f:
            f.write(b"Subject: bench\r\n\r\n" + b"x" * 2000 + b"\r\n")
        server = Mailroomd(tmp, tls=False, plugins=(), extra_flags=[
            "--sieve_smtp=127.0.0.1:%d" % sink.port, "--sieve_smtp_tls=none",
            "--sieve_smtp_poll_ms=100"])
        os.makedirs(server.data_dir, exist_ok=True)
        subprocess.run([find_file("tests/outbound/queue_outbound"),
                        server.data_dir, "", "rcpt@example.org", message,
                        str(count)], check=True, stdout=subprocess.DEVNULL)
        with server:
            start = time.monotonic()
            sink.wait_for(count, timeout=600)
            elapsed = time.monotonic() - start
    sink.close()
    return count / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--results")
    args = parser.parse_args()
    rates = [one_round(args.messages) for _ in range(args.rounds)]
    result = {"messages": args.messages, "rates": rates,
              "median_messages_per_second": statistics.median(rates),
              "load_average": os.getloadavg()}
    print(json.dumps(result, indent=2))
    if args.results:
        with open(args.results, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
