#!/usr/bin/env python3
"""LMTP deliveries per second with a Sieve script and without, on Mailroom
and on Dovecot with Pigeonhole, each on a fresh instance.

    bazel build //tools:mailroomd //tools:mailroomctl //protocols/...
    python3 bench/sieve_compare/run.py [--count 2000] [--connections 4]
        [--script bench/sieve_delivery/helpdesk50.sieve] [--corpus DIR]

Run from the repository root. The corpus is $MAILROOM_CORPUS_DIR (default
~/.cache/mailroom/corpus, see scripts/fetch_corpus.sh). Prints one line per
run and a JSON summary; ratios above 1 mean Mailroom delivers faster.
"""

import argparse
import json
import os
import smtplib
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
os.environ.setdefault("MAILROOM_BIN_DIR", os.path.join(ROOT, "bazel-bin"))

from tests.harness.mailroomd import Mailroomd  # noqa: E402
from tests.pigeonhole import pigeonhole_peer  # noqa: E402

USER, PASSWORD = "agent", "agent-pass-1"


def load_corpus(top, count):
    paths = []
    for root, _, files in os.walk(top):
        paths += [os.path.join(root, f) for f in files]
    paths.sort()
    out = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"From "):
            data = data.split(b"\n", 1)[1]
        out.append(data)
        if len(out) == count:
            break
    while out and len(out) < count:  # repeat the corpus when asked for more
        out += out[:count - len(out)]
    return out


def deliver_all(port, messages, connections):
    """Delivers every message once over `connections` LMTP sessions;
    returns the wall seconds."""
    chunks = [messages[i::connections] for i in range(connections)]
    errors = []

    def worker(chunk):
        try:
            with smtplib.LMTP("127.0.0.1", port) as lmtp:
                for data in chunk:
                    refused = lmtp.sendmail("sender@customer.org",
                                            ["%s@localhost" % USER], data)
                    if refused:
                        errors.append(refused)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    if errors:
        raise RuntimeError("delivery failed: %r" % errors[:3])
    return seconds


def run_mailroom(messages, script, connections):
    with tempfile.TemporaryDirectory() as tmp:
        with Mailroomd(tmp) as server:
            server.add_user(USER, PASSWORD)
            if script is not None:
                path = os.path.join(tmp, "script.sieve")
                with open(path, "w") as f:
                    f.write(script)
                server.ctl("sieve", "put", USER, "bench", path)
                server.ctl("sieve", "activate", USER, "bench")
            return deliver_all(server.lmtp_port, messages, connections)


def run_pigeonhole(messages, script, connections):
    peer = pigeonhole_peer.PigeonholePeer({USER: PASSWORD})
    if script is not None:
        peer.set_script(USER, script)
    with peer:
        return deliver_all(peer.lmtp_port, messages, connections)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--script", default=os.path.join(
        ROOT, "bench", "sieve_delivery", "helpdesk50.sieve"))
    parser.add_argument("--corpus", default=os.environ.get(
        "MAILROOM_CORPUS_DIR",
        os.path.expanduser("~/.cache/mailroom/corpus")))
    parser.add_argument("--skip_peer", action="store_true")
    args = parser.parse_args()

    messages = load_corpus(args.corpus, args.count)
    with open(args.script) as f:
        script = f.read()
    servers = [("mailroom", run_mailroom)]
    if not args.skip_peer and pigeonhole_peer.available():
        servers.append(("pigeonhole", run_pigeonhole))
    rates = {}
    for name, run in servers:
        for label, source in (("none", None), ("script", script)):
            seconds = run(messages, source, args.connections)
            rates["%s_%s" % (name, label)] = len(messages) / seconds
            print("%-10s %-6s %6d msgs in %6.2f s: %7.1f msgs/s" %
                  (name, label, len(messages), seconds,
                   len(messages) / seconds), flush=True)
    summary = {"count": len(messages), "connections": args.connections,
               "msgs_per_s": rates}
    if "mailroom_script" in rates:
        summary["mailroom_script_cost"] = (rates["mailroom_script"] /
                                           rates["mailroom_none"])
    if "pigeonhole_script" in rates:
        summary["pigeonhole_script_cost"] = (rates["pigeonhole_script"] /
                                             rates["pigeonhole_none"])
        summary["ratio_script"] = (rates["mailroom_script"] /
                                   rates["pigeonhole_script"])
        summary["ratio_none"] = (rates["mailroom_none"] /
                                 rates["pigeonhole_none"])
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
