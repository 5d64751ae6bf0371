#!/usr/bin/env python3
"""IMAP logins per second: AUTHENTICATE OAUTHBEARER (a JWT verified offline,
RS256 and ES256) against AUTHENTICATE PLAIN answered by the verified-login
cache (login_cache_seconds=300, so repeat logins skip PBKDF2).

Each phase runs --clients threads on their own loopback source addresses,
each looping: connect, AUTHENTICATE with SASL-IR, LOGOUT (one TCP
connection per login, no TLS: plaintext auth is allowed so that the figure
is the authentication, not the handshake). A fresh daemon per issuer key
type; keys and tokens are made per run.

  python3 bench/oauth/oauth_login_bench.py [--seconds 15] [--clients 4]
      [--results FILE]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and the IMAP plugin built
(bazel build //tools:mailroomd //tools:mailroomctl
//protocols/imap:libmailroom_imap.so). Loopback only."""

import argparse
import base64
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
from tests.harness.mailroomd import Mailroomd  # noqa: E402
from tests.oauth.tokens import TestIssuer, oauthbearer  # noqa: E402


def login_once(port, source, message):
    sock = socket.create_connection(("127.0.0.1", port), 60,
                                    source_address=(source, 0))
    f = sock.makefile("rwb")
    f.readline()  # greeting
    f.write(b"a AUTHENTICATE " + message + b"\r\nb LOGOUT\r\n")
    f.flush()
    ok = False
    for line in f:
        if line.startswith(b"a "):
            ok = line.startswith(b"a OK")
        if line.startswith(b"b "):
            break
    sock.close()
    return ok


def run_phase(port, messages, seconds):
    stop = threading.Event()
    counts = [0] * len(messages)
    failures = [0] * len(messages)

    def worker(i):
        source = "127.0.5.%d" % (i + 1)
        while not stop.is_set():
            if login_once(port, source, messages[i]):
                counts[i] += 1
            else:
                failures[i] += 1

    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(len(messages))]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / seconds, sum(failures)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--results")
    args = parser.parse_args()
    results = {}
    for alg in ("RS256", "ES256"):
        with tempfile.TemporaryDirectory() as tmp:
            issuer = TestIssuer("https://idp.bench", "mailroom", alg=alg)
            oauth_dir = issuer.write_config(os.path.join(tmp, "oauth.d"))
            with Mailroomd(tmp, tls=False, allow_plaintext_auth=True,
                           plugins=("imap",),
                           extra_flags=["--oauth_issuers=" + oauth_dir,
                                        "--login_cache_seconds=300"]) as server:
                users = ["user%d" % i for i in range(args.clients)]
                for user in users:
                    server.add_user(user, "pw-" + user)
                phases = {
                    "OAUTHBEARER " + alg: [
                        b"OAUTHBEARER " + base64.b64encode(oauthbearer(
                            issuer.token(u + "@example.com"), port=143))
                        for u in users],
                }
                if alg == "RS256":
                    phases["PLAIN (login cache)"] = [
                        b"PLAIN " + base64.b64encode(
                            ("\0%s\0pw-%s" % (u, u)).encode())
                        for u in users]
                for name, messages in phases.items():
                    run_phase(server.imap_port, messages, 2)  # warm up
                    rates = []
                    failed = 0
                    for _ in range(args.rounds):
                        rate, failures = run_phase(server.imap_port, messages,
                                                   args.seconds)
                        rates.append(rate)
                        failed += failures
                    results[name] = {"logins_per_s_median":
                                     round(statistics.median(rates), 1),
                                     "rounds": [round(r, 1) for r in rates],
                                     "failed_logins": failed}
                    print(name, results[name], flush=True)
    results["load_average"] = os.getloadavg()
    if args.results:
        os.makedirs(os.path.dirname(args.results), exist_ok=True)
        with open(args.results, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
