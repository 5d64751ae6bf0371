#!/usr/bin/env python3
"""Login throughput of honest IMAP clients, without and with a password
guessing attack running against the same daemon.

Honest clients: --clients threads, each on its own source address
(127.0.1.1, 127.0.1.2, ...) logging in as its own user and out again in a
loop (one TCP connection per login; after a temporary failure it waits 1 s,
as a mail client would). Attack:
--attack-connections connections spread over --attack-addresses source
addresses (127.0.0.2, 127.0.0.3, ...), each guessing alice's password again
and again. Each phase runs --seconds; the figure is honest logins per second.
Both phases run with the verified-login cache on (the default: repeat logins
skip the hash) and off (every login hashes), on a fresh daemon each.

  python3 bench/auth/auth_bench.py [--seconds 20] [--clients 4]
      [--attack-connections 100] [--attack-addresses 50] [--results FILE]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and the IMAP plugin built
(bazel build //tools:mailroomd //tools:mailroomctl
//protocols/imap:libmailroom_imap.so). Loopback only."""

import argparse
import imaplib
import json
import os
import socket
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
from tests.harness.mailroomd import Mailroomd  # noqa: E402


class BoundImap(imaplib.IMAP4):
    """IMAP4 whose socket has a chosen source address."""

    def __init__(self, source, port):
        self._source = source
        super().__init__("127.0.0.1", port, timeout=120)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self._source, 0))


def honest(port, source, user, stop, counts, busy, denied, index):
    while not stop.is_set():
        imap = BoundImap(source, port)
        try:
            imap.login(user, "pw-" + user)
            counts[index] += 1
        except imaplib.IMAP4.error as e:
            if "UNAVAILABLE" in str(e):
                busy[index] += 1  # a real client retries after a pause
                time.sleep(1)
            else:
                denied[index] += 1
        imap.logout()


def attacker(port, source, stop, counts, index):
    n = 0
    while not stop.is_set():
        try:
            imap = BoundImap(source, port)
            while not stop.is_set():
                n += 1
                try:
                    imap.login("alice", "guess-%s-%d" % (source, n))
                except imaplib.IMAP4.error:
                    pass
                counts[index] += 1
            imap.logout()
        except OSError:
            time.sleep(0.1)


def run_phase(server, args, attack):
    stop = threading.Event()
    attack_counts = [0] * args.attack_connections
    attackers = []
    if attack:
        for i in range(args.attack_connections):
            source = "127.0.0.%d" % (2 + i % args.attack_addresses)
            attackers.append(threading.Thread(
                target=attacker,
                args=(server.imap_port, source, stop, attack_counts, i)))
        for t in attackers:
            t.start()
        time.sleep(2)  # let the attack ramp up
    checked_before = server.log().count("authentication failed for 'alice'")
    counts = [0] * args.clients
    busy = [0] * args.clients
    denied = [0] * args.clients
    clients = [threading.Thread(target=honest,
                                args=(server.imap_port, "127.0.1.%d" % (i + 1),
                                      "user%d" % i, stop, counts, busy,
                                      denied, i))
               for i in range(args.clients)]
    start = time.monotonic()
    for t in clients:
        t.start()
    time.sleep(args.seconds)
    honest_logins = sum(counts)
    honest_unavailable = sum(busy)
    honest_denied = sum(denied)
    attack_answers = sum(attack_counts)
    elapsed = time.monotonic() - start
    checked = (server.log().count("authentication failed for 'alice'") -
               checked_before)
    stop.set()
    for t in clients + attackers:
        t.join()
    return {
        "attack": attack,
        "honest_logins_per_s": round(honest_logins / elapsed, 1),
        "honest_unavailable": honest_unavailable,
        "honest_denied": honest_denied,
        "attack_answers": attack_answers,
        "attack_guesses_hashed_per_s": round(checked / elapsed, 2),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--attack-connections", type=int, default=100)
    parser.add_argument("--attack-addresses", type=int, default=50)
    parser.add_argument("--results")
    args = parser.parse_args()
    results = []
    for cache_seconds in (300, 0):
        for attack in (False, True):
            with tempfile.TemporaryDirectory() as tmp, Mailroomd(
                    tmp, tls=False, plugins=("imap",),
                    extra_flags=("--login_cache_seconds=%d" % cache_seconds,
                                 "--max_connections_per_ip=0")) as server:
                server.add_user("alice", "not-guessable")
                for i in range(args.clients):
                    server.add_user("user%d" % i, "pw-user%d" % i)
                phase = run_phase(server, args, attack)
                phase["login_cache_seconds"] = cache_seconds
                print(json.dumps(phase), flush=True)
                results.append(phase)
    if args.results:
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
