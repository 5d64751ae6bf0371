#!/usr/bin/env python3
"""SELECT on a large mailbox: latency and the memory each session adds.

For each --sizes N, one INBOX of N small messages is filled and then:

  cold_select_ms   the first SELECT after the daemon started (no copy of
                   the mailbox in memory: what a restart, or another node
                   on RADOS, costs); Mailroom reads its persisted table.
                   The median of --restarts restarts (restart_select_ms
                   lists them); first_open_ms is the very first SELECT of
                   a store whose table was never written (it reads every
                   message record and writes the table)
  cold_qresync_ms  the same with QRESYNC, the client 10 changes behind
  reselect_ms      SELECT after every session on the mailbox closed (the
                   daemon keeps recently closed copies for a while)
  select_ms        median (p90) of --rounds SELECTs by new connections while
                   --sessions other sessions keep INBOX selected
  rss_per_session  growth of the server's RSS divided by --sessions, for
                   --sessions IMAP sessions logged in with INBOX selected

With --idle_sessions K, Mailroom is also measured with K sessions logged
in and idle with INBOX selected (the size given by --idle_size): the
daemon's RSS before and after, per session and in total.

On Mailroom (mailroomd, RocksDB, IMAP only, no TLS; the mailbox filled
with `mailroomctl import mbox`, once per size into --store_dir/N when
given and reused by later runs) and, with --dovecot, on the Dovecot peer
(/work/shared/peers/dovecot, maildir, FTS off; the maildir written
directly, its index built by one SELECT before timing). Dovecot runs one
process per session: its RSS is the sum over its imap processes; its
cold figure is the first SELECT of a new process, index files on disk.

  python3 bench/select/select_bench.py [--sizes 10000,100000,1000000]
      [--sessions 50] [--rounds 30] [--restarts 3] [--dovecot]
      [--store_dir DIR] [--results FILE]
      [--idle_sessions 10000 --idle_size 100000]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and the IMAP plugin built.
Loopback only."""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
from tests.harness.mailroomd import Mailroomd  # noqa: E402
from tests.imap.e2e.imap_client import ImapClient  # noqa: E402

DOVECOT = "/work/shared/peers/dovecot"


def body(i):
    return ("From: Sender %d <s%d@example.com>\r\nTo: desk@example.com\r\n"
            "Subject: Ticket %d\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n"
            "Message-ID: <%d@bench.example>\r\n\r\nPlease help with %d.\r\n"
            % (i % 997, i % 997, i, i, i))


def write_mbox(path, n):
    with open(path, "w", newline="") as f:
        for i in range(n):
            f.write("From s@example.com Mon Dec  7 10:00:00 2026\n")
            f.write(body(i).replace("\r\n", "\n"))
            f.write("\n")


def write_maildir(root, n):
    cur = os.path.join(root, "cur")
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for i in range(n):
        seen = ":2,S" if i % 3 == 0 else ":2,"
        name = "%d.M%dP1.bench,S=%d%s" % (1700000000 + i, i, len(body(i)), seen)
        with open(os.path.join(cur, name), "w", newline="") as f:
            f.write(body(i))


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def dovecot_imap_pids():
    out = subprocess.run(["pgrep", "-x", "imap"], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def timed_select(port, user, password):
    c = ImapClient(port)
    c.login(user, password)
    start = time.perf_counter()
    c.ok("SELECT INBOX")
    return c, (time.perf_counter() - start) * 1000.0


def measure(port, user, password, pids_fn, sessions, rounds):
    result = {}
    first, result["cold_select_ms"] = timed_select(port, user, password)
    held = [first]
    time.sleep(0.5)
    before = rss_kib(pids_fn())
    for _ in range(sessions):
        held.append(timed_select(port, user, password)[0])
    time.sleep(0.5)
    after = rss_kib(pids_fn())
    result["rss_per_session_mib"] = round((after - before) / sessions / 1024, 3)
    samples = []
    for _ in range(rounds):
        c, ms = timed_select(port, user, password)
        samples.append(ms)
        c.close()
    result["select_p50_ms"] = round(statistics.median(samples), 2)
    result["select_p90_ms"] = round(
        sorted(samples)[max(0, int(len(samples) * 0.9) - 1)], 2)
    for c in held:
        c.close()
    time.sleep(0.5)
    c, result["reselect_ms"] = timed_select(port, user, password)
    c.close()
    return result


def timed_qresync(port, user, password):
    """SELECT with QRESYNC from 10 modseqs back; returns milliseconds."""
    c = ImapClient(port)
    c.login(user, password)
    c.ok("ENABLE QRESYNC")
    lines = c.ok("STATUS INBOX (UIDVALIDITY HIGHESTMODSEQ)")
    words = " ".join(lines).replace("(", " ").replace(")", " ").split()
    validity = int(words[words.index("UIDVALIDITY") + 1])
    modseq = int(words[words.index("HIGHESTMODSEQ") + 1])
    start = time.perf_counter()
    c.ok("SELECT INBOX (QRESYNC (%d %d))" % (validity, max(1, modseq - 10)))
    ms = (time.perf_counter() - start) * 1000.0
    c.close()
    return ms


def restart_figures(server, args, result):
    """Cold SELECTs, each the first after a restart of the daemon."""
    cold, qresync = [], []
    for _ in range(args.restarts):
        server.stop(timeout=120)
        server.start(timeout=300)
        c, ms = timed_select(server.imap_port, "bench", "pw")
        cold.append(round(ms, 2))
        c.close()
        server.stop(timeout=120)
        server.start(timeout=300)
        qresync.append(round(timed_qresync(server.imap_port, "bench", "pw"), 2))
    result["restart_select_ms"] = cold
    result["cold_select_ms"] = round(statistics.median(cold), 2)
    result["cold_qresync_ms"] = round(statistics.median(qresync), 2)


def idle(server, args):
    """RSS of the daemon with --idle_sessions sessions idle on INBOX."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE,
                       (min(hard, args.idle_sessions + 1000), hard))
    held = [timed_select(server.imap_port, "bench", "pw")[0]]
    time.sleep(0.5)
    before = rss_kib([server.pid])
    for _ in range(args.idle_sessions):
        held.append(timed_select(server.imap_port, "bench", "pw")[0])
    time.sleep(2)
    after = rss_kib([server.pid])
    for c in held:
        c.close()
    return {"sessions": args.idle_sessions,
            "rss_before_mib": round(before / 1024, 1),
            "rss_after_mib": round(after / 1024, 1),
            "rss_per_session_kib": round((after - before) / args.idle_sessions,
                                         1)}


def mailroom(n, args):
    result = {}
    try:
        _mailroom(n, args, result)
    except RuntimeError as e:  # a slow shutdown on a loaded machine
        if not result:
            raise
        print("mailroomd stop:", str(e).splitlines()[0], file=sys.stderr)
    return result


def _mailroom(n, args, result):
    if args.store_dir:
        tmp = os.path.join(args.store_dir, str(n))
        os.makedirs(tmp, exist_ok=True)
        _mailroom_in(tmp, n, args, result)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _mailroom_in(tmp, n, args, result)


def _mailroom_in(tmp, n, args, result):
    filled = os.path.join(tmp, "filled")
    with Mailroomd(tmp, tls=False, plugins=("imap",),
                   allow_plaintext_auth=True,
                   extra_flags=["--max_connections_per_ip=0"]) as server:
        if not os.path.exists(filled):
            server.add_user("bench", "pw")
            mbox = os.path.join(tmp, "in.mbox")
            write_mbox(mbox, n)
            subprocess.run([server.mailroomctl, "--data_dir=" +
                            server.data_dir] + server.store_flags +
                           ["import", "mbox", mbox, "--user=bench",
                            "--mailbox=INBOX"],
                           check=True, capture_output=True, timeout=7200)
            os.unlink(mbox)
            open(filled, "w").close()
        first = os.path.join(tmp, "first_open_ms")
        result.update(measure(server.imap_port, "bench", "pw",
                              lambda: [server.pid], args.sessions,
                              args.rounds))
        if not os.path.exists(first):
            with open(first, "w") as f:
                f.write("%.2f\n" % result["cold_select_ms"])
        with open(first) as f:
            result["first_open_ms"] = float(f.read())
        restart_figures(server, args, result)
        if args.idle_sessions and n == args.idle_size:
            result["idle"] = idle(server, args)


def dovecot(n, args):
    tmp = tempfile.mkdtemp(prefix="select-bench-dovecot-")
    env = dict(os.environ, FTS="none")
    # Not captured: the daemon keeps start.sh's output open.
    subprocess.run([os.path.join(DOVECOT, "start.sh"), tmp, str(args.port_base)],
                   check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    try:
        maildir = os.path.join(tmp, "mail", "user1", "Maildir")
        write_maildir(maildir, n)
        subprocess.run(["chown", "-R", "vmail:vmail", os.path.join(tmp, "mail")],
                       check=False)
        port = args.port_base + 143
        warm = ImapClient(port, timeout=3600)  # builds the index
        warm.login("user1", "pass")
        warm.ok("SELECT INBOX")
        warm.close()
        return measure(port, "user1", "pass", dovecot_imap_pids,
                       args.sessions, args.rounds)
    finally:
        subprocess.run([os.path.join(DOVECOT, "stop.sh"), tmp],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--dovecot", action="store_true")
    parser.add_argument("--port_base", type=int, default=21000)
    parser.add_argument("--idle_sessions", type=int, default=0)
    parser.add_argument("--idle_size", type=int, default=100000)
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--skip_mailroom", action="store_true")
    parser.add_argument("--store_dir")
    parser.add_argument("--results")
    args = parser.parse_args()
    results = {}
    for n in [int(s) for s in args.sizes.split(",")]:
        if not args.skip_mailroom:
            results["mailroom_%d" % n] = mailroom(n, args)
            print("mailroom", n, results["mailroom_%d" % n], flush=True)
        if args.dovecot:
            results["dovecot_%d" % n] = dovecot(n, args)
            print("dovecot", n, results["dovecot_%d" % n], flush=True)
    if args.results:
        with open(args.results, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
