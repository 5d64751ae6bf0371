#!/usr/bin/env python3
"""Admin search/expunge throughput on one large mailbox: mailroomctl against
a running mailroomd, and (if it runs here) doveadm against a private Dovecot
holding the same messages. Each figure is the wall time of one CLI process
(start-up included), the median of --runs runs after one warm-up run.

  python3 bench/admin/admin_bench.py [--messages 50000] [--runs 5]
      [--results DIR] [--no-dovecot]

Needs bazel-bin/tools/{mailroomd,mailroomctl} and the IMAP plugin built
(bazel build //tools:all //protocols/imap:libmailroom_imap.so). Loopback
only; everything lives in a temporary directory removed at the end."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
from tests.harness.mailroomd import Mailroomd  # noqa: E402

DAY = 86400
COMMAND_TIMEOUT_S = 600
SENDERS = 40
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet "
         "kilo lima mike november oscar papa quebec romeo sierra tango").split()


def messages(n, now):
    """(internal date, flagged, bytes) of n deterministic messages, oldest
    first, spread evenly over the last 400 days."""
    for i in range(n):
        date = now - 400 * DAY + (400 * DAY * i) // n
        sender = "user%d@example.com" % (i % SENDERS)
        word = WORDS[i % len(WORDS)]
        rare = " zebra%d" % i if i % 1000 == 7 else ""
        body = ("Hello,\r\n\r\nthis is message %d about %s%s.\r\n%s\r\n" %
                (i, word, rare, ("lorem ipsum dolor sit amet " * 20)))
        text = ("From: %s\r\nTo: bench@example.com\r\nSubject: report %d %s"
                "\r\nMessage-ID: <m%d@example.com>\r\nDate: %s\r\n\r\n%s" %
                (sender, i, word, i,
                 time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                               time.gmtime(date)), body))
        yield date, i % 10 == 3, text.encode()


def timed(argv, env=None):
    print("+ " + " ".join(argv)[:200], file=sys.stderr, flush=True)
    start = time.monotonic()
    result = subprocess.run(argv, capture_output=True, text=True, env=env,
                            timeout=COMMAND_TIMEOUT_S)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        raise RuntimeError("%s failed (%d): %s %s" %
                           (" ".join(argv), result.returncode, result.stdout,
                            result.stderr))
    return elapsed, result.stdout


def median_runs(argv_for_run, runs, count_of):
    """Warm-up run, then `runs` runs: (warm-up s, median s, matches)."""
    warm, out = timed(argv_for_run(0))
    times, counts = [], []
    for r in range(runs):
        t, out = timed(argv_for_run(r + 1))
        times.append(t)
        counts.append(count_of(out))
    return warm, statistics.median(times), counts


# Queries side by side: (name, mailroomctl words, doveadm words).
def queries(now):
    cutoff = time.strftime("%Y-%m-%d", time.gmtime(now - 30 * DAY))
    return [
        ("flagged", ["flagged"], ["flagged"]),
        ("since 30 days", ["since", cutoff], ["since", cutoff]),
        ("uid range", ["uid", "1000:1999"], ["uid", "1000:1999"]),
        ("from (header)", ["from", "user7@example.com"],
         ["from", "user7@example.com"]),
        ("body word (rare)", ["body", "zebra4007"], ["body", "zebra4007"]),
        ("or + not", ["(flagged", "or", "from", "user3@example.com)", "not",
                      "since", cutoff],
         ["(", "flagged", "OR", "from", "user3@example.com", ")", "NOT",
          "since", cutoff]),
    ]


def bench_mailroom(tmp, msgs, now, runs):
    server = Mailroomd(os.path.join(tmp, "mailroom"), tls=False,
                       plugins=("imap",))
    os.makedirs(server.tmp_dir, exist_ok=True)
    figures = {}
    with server:
        server.ctl("user", "add", "bench", "--password=pw")
        mbox = os.path.join(tmp, "bench.mbox")
        with open(mbox, "wb") as f:
            for date, flagged, data in msgs:
                f.write(b"From bench@example.com " + time.strftime(
                    "%a %b %d %H:%M:%S %Y", time.gmtime(date)).encode() +
                    b"\n" + data.replace(b"\r\n", b"\n") + b"\n")
        t0 = time.monotonic()
        server.ctl("import", "mbox", mbox, "--user=bench")
        figures["import_s"] = time.monotonic() - t0
        server.ctl("flags", "add", "bench", "INBOX", "uid", "1:*", "--",
                   "\\Seen")
        # Every tenth message flagged, as in the Dovecot copy.
        flagged = [str(i + 1) for i, (_, f, _) in enumerate(msgs) if f]
        server.ctl("flags", "add", "bench", "INBOX", "uid",
                   ",".join(flagged), "--", "\\Flagged")
        ctl = [server.mailroomctl, "--data_dir=" + server.data_dir]
        for name, words, _ in queries(now):
            warm, med, counts = median_runs(
                lambda r: ctl + ["search", "bench", "INBOX"] + words +
                ["--json"], runs,
                lambda out: json.loads(out)["count"])
            figures["search " + name] = {"warmup_s": warm, "median_s": med,
                                         "matches": counts[0]}
        # Expunge: each run removes the next 2,000 oldest messages.
        times = []
        for r in range(runs):
            t, out = timed(ctl + ["expunge", "bench", "INBOX", "uid",
                                  "%d:%d" % (r * 2000 + 1, r * 2000 + 2000),
                                  "--json"])
            assert json.loads(out)["expunged"] == 2000, out
            times.append(t)
        figures["expunge 2000 by uid"] = {"median_s": statistics.median(times)}
        times = []
        for r in range(runs):
            # The oldest remaining messages by internal date, ~2,000 a run.
            cutoff = now - 400 * DAY + (400 * DAY * (runs + r + 1) * 2000) \
                // len(msgs)
            t, out = timed(ctl + ["expunge", "bench", "INBOX", "before",
                                  time.strftime("%Y-%m-%d",
                                                time.gmtime(cutoff)),
                                  "--json"])
            times.append(t)
        figures["expunge before DATE (~2000)"] = {
            "median_s": statistics.median(times)}
    return figures


DOVECOT_CONF = """
protocols = none
base_dir = {d}/run
state_dir = {d}/state
instance_name = admin-bench-{pid}
log_path = {d}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 0
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%n
}}
mail_location = maildir:{d}/mail/%n/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


def bench_dovecot(tmp, msgs, now, runs):
    if shutil.which("dovecot") is None or shutil.which("doveadm") is None:
        return {"skipped": "dovecot/doveadm not installed"}
    d = os.path.join(tmp, "dovecot")
    for sub in ("run", "state", "mail/bench/Maildir/cur",
                "mail/bench/Maildir/new", "mail/bench/Maildir/tmp"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(d, "passwd"), "w") as f:
        f.write("bench:{PLAIN}pw\n")
    import grp
    import pwd
    # Dovecot refuses mail access as root: as root, the mail belongs to
    # "nobody" and the services run as "dovecot".
    if os.getuid() == 0:
        mail = pwd.getpwnam("nobody")
        try:
            service = pwd.getpwnam("dovecot")
        except KeyError:
            service = mail
        for path in (tmp, d):
            os.chmod(path, 0o755)
    else:
        mail = service = pwd.getpwuid(os.getuid())
    conf = os.path.join(d, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(DOVECOT_CONF.format(
            d=d, pid=os.getpid(), uid=mail.pw_uid, gid=mail.pw_gid,
            user=service.pw_name,
            group=grp.getgrgid(service.pw_gid).gr_name))
    cur = os.path.join(d, "mail/bench/Maildir/cur")
    for i, (date, flagged, data) in enumerate(msgs):
        path = os.path.join(cur, "%d.M%dP1.bench:2,%s" %
                            (date, i, "FS" if flagged else "S"))
        with open(path, "wb") as f:
            f.write(data.replace(b"\r\n", b"\n"))
        os.utime(path, (date, date))
    for root, dirs, files in os.walk(os.path.join(d, "mail")):
        for name in dirs + files:
            os.chown(os.path.join(root, name), mail.pw_uid, mail.pw_gid)
    os.chown(os.path.join(d, "mail"), mail.pw_uid, mail.pw_gid)
    # The master daemonizes: its children must not hold our pipes.
    with open(os.path.join(d, "start.log"), "w+") as start_log:
        started = subprocess.run(["dovecot", "-c", conf],
                                 stdout=subprocess.DEVNULL, stderr=start_log,
                                 timeout=60, start_new_session=True)
        start_log.seek(0)
        if started.returncode != 0:
            return {"skipped": "dovecot did not start: " +
                    start_log.read().strip()}
    figures = {}
    try:
        adm = ["doveadm", "-c", conf]
        # The first access builds Dovecot's index of the maildir.
        t, _ = timed(adm + ["mailbox", "status", "-u", "bench", "messages",
                            "INBOX"])
        figures["first index build_s"] = t
        for name, _, words in queries(now):
            warm, med, counts = median_runs(
                lambda r: adm + ["search", "-u", "bench", "mailbox",
                                 "INBOX"] + words, runs,
                lambda out: len(out.splitlines()))
            figures["search " + name] = {"warmup_s": warm, "median_s": med,
                                         "matches": counts[0]}
        times = []
        for r in range(runs):
            t, _ = timed(adm + ["expunge", "-u", "bench", "mailbox", "INBOX",
                                "uid", "%d:%d" % (r * 2000 + 1,
                                                  r * 2000 + 2000)])
            times.append(t)
        figures["expunge 2000 by uid"] = {"median_s": statistics.median(times)}
        times = []
        for r in range(runs):
            cutoff = now - 400 * DAY + (400 * DAY * (runs + r + 1) * 2000) \
                // len(msgs)
            t, _ = timed(adm + ["expunge", "-u", "bench", "mailbox", "INBOX",
                                "before", time.strftime(
                                    "%Y-%m-%d", time.gmtime(cutoff))])
            times.append(t)
        figures["expunge before DATE (~2000)"] = {
            "median_s": statistics.median(times)}
    finally:
        subprocess.run(["doveadm", "-c", conf, "stop"], capture_output=True)
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--results", default=None)
    parser.add_argument("--no-dovecot", action="store_true")
    args = parser.parse_args()
    now = int(time.time())
    msgs = list(messages(args.messages, now))
    tmp = tempfile.mkdtemp(prefix="admin-bench-")
    try:
        report = {"messages": args.messages, "runs": args.runs,
                  "machine": "%d cores" % os.cpu_count()}
        report["mailroom"] = bench_mailroom(tmp, msgs, now, args.runs)
        report["dovecot"] = ({"skipped": "--no-dovecot"} if args.no_dovecot
                             else bench_dovecot(tmp, msgs, now, args.runs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    text = json.dumps(report, indent=2)
    print(text)
    print()
    print(table(report))
    if args.results:
        os.makedirs(args.results, exist_ok=True)
        with open(os.path.join(args.results, "admin_bench.json"), "w") as f:
            f.write(text + "\n")
        with open(os.path.join(args.results, "admin_bench.md"), "w") as f:
            f.write(table(report) + "\n")


def table(report):
    lines = ["| operation (%d messages) | mailroomctl median s | doveadm "
             "median s | matches (mailroom / dovecot) |" % report["messages"],
             "|---|---|---|---|"]
    m, d = report["mailroom"], report["dovecot"]
    for key, value in m.items():
        if not isinstance(value, dict):
            continue
        peer = d.get(key, {}) if isinstance(d, dict) else {}
        lines.append("| %s | %.3f | %s | %s / %s |" % (
            key, value["median_s"],
            "%.3f" % peer["median_s"] if "median_s" in peer else "-",
            value.get("matches", "-"), peer.get("matches", "-")))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
