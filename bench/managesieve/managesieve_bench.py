#!/usr/bin/env python3
"""PUTSCRIPT/s and GETSCRIPT/s over one ManageSieve connection.

Starts a fresh mailroomd (RocksDB store, ManageSieve only, no TLS, plaintext
login allowed), logs one user in, and for each script size runs --rounds
rounds of --ops PUTSCRIPT (each one a round trip: the client waits for the
answer; the script replaces one of 10 names, so the script count stays
under the limit), then --ops GETSCRIPT of those names. Prints and writes
the median rate of the rounds, and the fastest and slowest.

  python3 bench/managesieve/managesieve_bench.py [--ops 500] [--rounds 5]
      [--results FILE]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and the plugin built
(bazel build //tools:mailroomd //tools:mailroomctl
//protocols/managesieve:libmailroom_managesieve.so). Loopback only."""

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
from tests.managesieve.managesieve_client import Client, Literal  # noqa: E402


def make_script(size):
    """A script that compiles, padded with comment lines to `size` bytes."""
    body = (b'require ["fileinto", "vacation"];\r\n'
            b'if header :contains "subject" "[list]" { fileinto "Lists"; }\r\n'
            b'elsif address :is "from" "boss@example.com" { keep; }\r\n'
            b'else { vacation :days 3 "Away."; }\r\n')
    line = b"# " + b"x" * 76 + b"\r\n"
    while len(body) + len(line) <= size:
        body += line
    return body


def rate(ops, fn):
    start = time.perf_counter()
    for i in range(ops):
        fn(i)
    return ops / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="256,16384")
    parser.add_argument("--results")
    args = parser.parse_args()

    results = {"ops_per_round": args.ops, "rounds": args.rounds, "sizes": {}}
    with tempfile.TemporaryDirectory() as tmp, \
            Mailroomd(tmp, tls=False, plugins=("managesieve",)) as server:
        server.add_user("bench", "pw")
        c = Client(server.managesieve_port)
        r = c.authenticate_plain("bench", "pw")
        assert r.status == "OK", r
        for size in (int(s) for s in args.sizes.split(",")):
            script = make_script(size)

            def put(i):
                r = c.command("PUTSCRIPT", "s%d" % (i % 10), Literal(script))
                assert r.status == "OK", r

            def get(i):
                r = c.command("GETSCRIPT", "s%d" % (i % 10))
                assert r.status == "OK" and r.lines[0][0] == script, r

            puts, gets = [], []
            for _ in range(args.rounds):
                puts.append(rate(args.ops, put))
                gets.append(rate(args.ops, get))
            entry = {
                "script_bytes": len(script),
                "putscript_per_s": {"median": statistics.median(puts),
                                    "min": min(puts), "max": max(puts)},
                "getscript_per_s": {"median": statistics.median(gets),
                                    "min": min(gets), "max": max(gets)},
            }
            results["sizes"][str(size)] = entry
            print("%6d bytes: PUTSCRIPT %7.0f/s (%.0f..%.0f)  "
                  "GETSCRIPT %7.0f/s (%.0f..%.0f)" %
                  (len(script), entry["putscript_per_s"]["median"], min(puts),
                   max(puts), entry["getscript_per_s"]["median"], min(gets),
                   max(gets)))
        c.command("LOGOUT")
        c.close()
    if args.results:
        with open(args.results, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
