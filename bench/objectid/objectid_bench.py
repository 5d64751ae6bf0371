#!/usr/bin/env python3
"""PREVIEW and REPLACE over IMAP against their plain-IMAP equivalents.

1. FETCH 1:N (PREVIEW) against FETCH 1:N (BODY.PEEK[TEXT]<0.256>) on N
   messages (default 1,000; a mix of plain, multipart/alternative with a
   long HTML part, base64 and quoted-printable text, ~3-40 KB each): the
   median over --runs of the whole command's time, in ms.
2. REPLACE ops/s (UID REPLACE of one draft, --replaces times) against the
   three commands a client without REPLACE sends: APPEND, UID STORE
   +FLAGS (\\Deleted), UID EXPUNGE.

  python3 bench/objectid/objectid_bench.py [--messages 1000] [--runs 7]
      [--replaces 300] [--results FILE]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and the IMAP plugin built
(bazel build //tools:mailroomd //tools:mailroomctl
//protocols/imap:libmailroom_imap.so). Loopback only."""

import argparse
import base64
import json
import os
import random
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
from tests.harness.mailroomd import Mailroomd  # noqa: E402
from tests.imap.e2e.imap_client import ImapClient  # noqa: E402

WORDS = ("meeting budget report schedule review draft invoice project "
         "customer update launch deadline notes agenda summary").split()


def text(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_message(rng, i):
    head = ("From: sender%d@example.com\r\nTo: alice@example.com\r\n"
            "Subject: message %d\r\nMessage-ID: <m%d@example.com>\r\n"
            "MIME-Version: 1.0\r\n" % (i % 17, i, i))
    kind = i % 4
    if kind == 0:
        return head + "\r\n" + text(rng, 500) + "\r\n"
    if kind == 1:
        html = ("<html><head><style>" + "p{margin:0} " * 200 +
                "</style></head><body>" +
                "".join("<p>%s</p>" % text(rng, 40) for _ in range(40)) +
                "</body></html>")
        return (head + "Content-Type: multipart/alternative; boundary=b\r\n"
                "\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
                html + "\r\n--b\r\nContent-Type: text/plain\r\n\r\n" +
                text(rng, 300) + "\r\n--b--\r\n")
    if kind == 2:
        body = base64.encodebytes(text(rng, 400).encode()).decode()
        return (head + "Content-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n" +
                body.replace("\n", "\r\n"))
    return (head + "Content-Type: text/html; charset=iso-8859-1\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n<div>" +
            text(rng, 600).replace("budget", "caf=E9") + "</div>\r\n")


def timed(client, command):
    start = time.perf_counter()
    client.ok(command)
    return (time.perf_counter() - start) * 1000.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--replaces", type=int, default=300)
    parser.add_argument("--results")
    args = parser.parse_args()
    rng = random.Random(8970)
    results = {}
    with tempfile.TemporaryDirectory() as tmp, \
            Mailroomd(tmp, tls=False, plugins=("imap",)) as server:
        server.add_user("alice", "pw")
        c = ImapClient(server.imap_port)
        c.login("alice", "pw")
        for i in range(args.messages):
            data = make_message(rng, i)
            c.ok("APPEND INBOX {%d+}\r\n%s" % (len(data.encode()), data))
        c.ok("SELECT INBOX")
        n = args.messages
        preview, partial = [], []
        for _ in range(args.runs):
            preview.append(timed(c, "FETCH 1:%d (PREVIEW)" % n))
            partial.append(timed(c, "FETCH 1:%d (BODY.PEEK[TEXT]<0.256>)" % n))
        results["fetch_preview_ms"] = statistics.median(preview)
        results["fetch_body_text_256_ms"] = statistics.median(partial)

        draft = "Subject: draft\r\n\r\n" + text(rng, 200) + "\r\n"
        size = len(draft.encode())
        c.ok("SELECT Drafts")
        c.ok("APPEND Drafts {%d+}\r\n%s" % (size, draft))
        uid = 1
        start = time.perf_counter()
        for _ in range(args.replaces):
            c.ok("UID REPLACE %d Drafts {%d+}\r\n%s" % (uid, size, draft))
            uid += 1
        results["replace_ops_per_s"] = args.replaces / (
            time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(args.replaces):
            c.ok("APPEND Drafts {%d+}\r\n%s" % (size, draft))
            c.ok("UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
            c.ok("UID EXPUNGE %d" % uid)
            uid += 1
        results["append_store_expunge_ops_per_s"] = args.replaces / (
            time.perf_counter() - start)
        c.close()
    results["preview_vs_partial"] = (results["fetch_preview_ms"] /
                                     results["fetch_body_text_256_ms"])
    results["replace_vs_three_commands"] = (
        results["replace_ops_per_s"] /
        results["append_store_expunge_ops_per_s"])
    out = json.dumps(results, indent=2, sort_keys=True)
    print(out)
    if args.results:
        with open(args.results, "w") as f:
            f.write(out + "\n")


if __name__ == "__main__":
    main()
