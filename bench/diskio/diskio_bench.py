#!/usr/bin/env python3
"""Times `import maildir`, `export --format=maildir|mbox` and `import mbox`
through a running mailroomd (the admin socket, as an administrator runs
them). The source is a Dovecot-format Maildir++ tree built from the corpus
(every message made unique by one header, so the store cannot share
bodies), spread over INBOX and four folders, with dovecot-uidlist files.

Each step runs --runs times into a fresh account (or a fresh directory);
the figures are medians. Between runs the full-text index queue is left to
drain, so a run does not pay for the indexing of the one before.

Prints one JSON line per step: messages/s and MB/s (MB = 10^6 bytes of
message data as stored, CRLF line ends)."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

FOLDERS = ["", ".Sent", ".Lists", ".Lists.dev", ".Archive.2024"]


def corpus_files(corpus):
    files = []
    for dirpath, _, names in os.walk(corpus):
        files += [os.path.join(dirpath, n) for n in sorted(names)]
    files.sort()
    if not files:
        sys.exit("no messages under %s" % corpus)
    return files


def build_maildir(root, corpus, count):
    """Writes `count` messages; returns their bytes as stored (CRLF)."""
    files = corpus_files(corpus)
    total = 0
    per_folder = {f: [] for f in FOLDERS}
    for n in range(count):
        with open(files[n % len(files)], "rb") as f:
            data = f.read().replace(b"\r\n", b"\n")
        data = b"X-Bench-Seq: %d\n" % n + data
        total += len(data) + data.count(b"\n")
        folder = FOLDERS[n % len(FOLDERS)]
        base = "%d.M%dP1.bench" % (1600000000 + n, n)
        directory = os.path.join(root, folder)
        os.makedirs(os.path.join(directory, "cur"), exist_ok=True)
        with open(os.path.join(directory, "cur", base + ":2,S"), "wb") as f:
            f.write(data)
        per_folder[folder].append(base)
    for folder, bases in per_folder.items():
        with open(os.path.join(root, folder, "dovecot-uidlist"), "w") as f:
            f.write("3 V%d N%d\n" % (1000 + len(folder), len(bases) + 1))
            for uid, base in enumerate(bases, 1):
                f.write("%d :%s\n" % (uid, base))
    return total


class Ctl:
    def __init__(self, binary, data_dir, flags):
        self.args = [binary, "--data_dir=" + data_dir] + flags

    def __call__(self, *args):
        result = subprocess.run(self.args + list(args), capture_output=True,
                                text=True)
        if result.returncode != 0:
            sys.exit("mailroomctl %s failed: %s%s" %
                     (" ".join(args), result.stdout, result.stderr))
        return result.stdout

    def timed(self, *args):
        start = time.monotonic()
        out = self(*args)
        return time.monotonic() - start, out

    def drain_index(self):
        while True:
            queued = sum(int(line.split()[1]) for line in
                         self("index", "status", "--format=plain").splitlines()
                         if len(line.split()) >= 2)
            if queued == 0:
                return
            time.sleep(1)


def report(step, engine, messages, data_bytes, seconds):
    median = statistics.median(seconds)
    print(json.dumps({
        "step": step, "engine": engine, "messages": messages,
        "mb": round(data_bytes / 1e6, 1), "runs": len(seconds),
        "median_s": round(median, 2),
        "messages_per_s": round(messages / median),
        "mb_per_s": round(data_bytes / 1e6 / median, 1),
        "all_s": [round(s, 2) for s in seconds]}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mailroomctl", required=True)
    parser.add_argument("--data_dir", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", default="rocksdb")
    parser.add_argument("--store_flags", default="")
    args = parser.parse_args()

    ctl = Ctl(args.mailroomctl, args.data_dir, args.store_flags.split())
    source = os.path.join(args.work, "source-maildir")
    shutil.rmtree(source, ignore_errors=True)
    data_bytes = build_maildir(source, args.corpus, args.messages)
    n = args.messages

    seconds = []
    for run in range(args.runs):
        user = "imp%d" % run
        ctl("user", "add", user, "--password=bench-pass")
        ctl.drain_index()
        elapsed, out = ctl.timed("import", "maildir", source, "--user", user)
        assert "imported %d message(s)" % n in out, out
        seconds.append(elapsed)
    report("import maildir", args.engine, n, data_bytes, seconds)
    ctl.drain_index()

    for fmt in ("maildir", "mbox"):
        seconds = []
        for run in range(args.runs):
            target = os.path.join(args.work, "export-%s-%d" % (fmt, run))
            shutil.rmtree(target, ignore_errors=True)
            elapsed, out = ctl.timed("export", "imp0", "--format=" + fmt,
                                     target)
            assert "exported %d message(s)" % n in out, out
            seconds.append(elapsed)
        report("export " + fmt, args.engine, n, data_bytes, seconds)

    seconds = []
    mbox = os.path.join(args.work, "export-mbox-0")
    for run in range(args.runs):
        user = "mbox%d" % run
        ctl("user", "add", user, "--password=bench-pass")
        ctl.drain_index()
        elapsed, out = ctl.timed("import", "mbox", mbox, "--user", user)
        assert "imported %d message(s)" % n in out, out
        seconds.append(elapsed)
    report("import mbox", args.engine, n, data_bytes, seconds)


if __name__ == "__main__":
    main()
