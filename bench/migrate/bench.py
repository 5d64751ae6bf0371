"""The driver of bench/migrate/run.sh (see there)."""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time

from tests.harness.mailroomd import Mailroomd
from tests.migrate.dovecot_source import DovecotSource

PASSWORD = "bench-secret"


def corpus_messages(corpus, count):
    """`count` messages: the corpus files (cycled), else generated ones."""
    files = []
    if os.path.isdir(corpus):
        for root, _, names in os.walk(corpus):
            files += [os.path.join(root, n) for n in sorted(names)
                      if n.endswith(".eml")]
    files.sort()
    for i in range(count):
        if files:
            with open(files[i % len(files)], "rb") as f:
                data = f.read()
            # A unique header: cycled copies stay distinct messages.
            yield b"X-Bench-Seq: %d\n" % i + data
        else:
            body = (b"line of generated text for the migration benchmark\n"
                    * (40 + i % 200))
            yield (b"From: a@example.org\nTo: b@example.org\nSubject: "
                   b"generated %d\nMessage-ID: <g%d@example.org>\n\n" % (i, i)
                   + body)


def warm_source(source):
    """First login + a full fetch, so Dovecot's indexes and the page cache
    are warm for both tools alike."""
    import imaplib
    c = imaplib.IMAP4("127.0.0.1", source.imap_port)
    c.login("alice", PASSWORD)
    c.select("INBOX", readonly=True)
    c.uid("FETCH", "1:*", "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
    c.logout()


def row(name, messages, size, seconds):
    mb = size / 1e6
    return "%-22s %8d msgs %9.1f MB %8.1f s %9.0f msg/s %7.2f MB/s" % (
        name, messages, mb, seconds, messages / seconds, mb / seconds)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--corpus", default="")
    parser.add_argument("--imapsync", default="")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="mr-bench-migrate-", dir="/tmp")
    os.chmod(work, 0o755)
    source = DovecotSource({"alice": PASSWORD})
    daemon = Mailroomd(work, tls=False)
    results = []
    try:
        messages = list(corpus_messages(args.corpus, args.messages))
        count, size = len(messages), sum(len(m) for m in messages)
        source.write_maildir("alice", ((m, "S" if i % 2 else "")
                                       for i, m in enumerate(messages)))
        source.start()
        warm_source(source)
        daemon.start()
        password_file = os.path.join(work, "password")
        with open(password_file, "w") as f:
            f.write(PASSWORD + "\n")

        daemon.add_user("viamigrate", "local-pass")
        start = time.monotonic()
        result = daemon.ctl("migrate", "imap", "--host=127.0.0.1",
                            "--port=%d" % source.imap_port,
                            "--remote_user=alice", "--user=viamigrate",
                            "--remote_password_file=" + password_file,
                            "--json")
        seconds = time.monotonic() - start
        report = json.loads(result.stdout)
        assert report["copied"] == count, report
        results.append(row("mailroomctl migrate", count, report["bytes"],
                           seconds))

        # A rerun with nothing new: the cost of an incremental check.
        start = time.monotonic()
        daemon.ctl("migrate", "imap", "--host=127.0.0.1",
                   "--port=%d" % source.imap_port, "--remote_user=alice",
                   "--user=viamigrate", "--remote_password_file=" + password_file)
        results.append("%-22s %8d msgs, nothing new: %.1f s" % (
            "  incremental rerun", count, time.monotonic() - start))

        if args.imapsync and os.path.exists(args.imapsync):
            daemon.add_user("viaimapsync", "local-pass")
            with open(os.path.join(work, "password2"), "w") as f:
                f.write("local-pass\n")
            command = [args.imapsync, "--host1", "127.0.0.1", "--port1",
                       str(source.imap_port), "--user1", "alice",
                       "--passfile1", password_file, "--host2", "127.0.0.1",
                       "--port2", str(daemon.imap_port), "--user2",
                       "viaimapsync", "--passfile2",
                       os.path.join(work, "password2"), "--nossl1", "--nossl2",
                       "--notls1", "--notls2", "--noreleasecheck", "--nolog",
                       "--tmpdir", work]
            start = time.monotonic()
            run = subprocess.run(command, capture_output=True, text=True)
            seconds = time.monotonic() - start
            if run.returncode != 0:
                results.append("imapsync failed (%d): %s" % (
                    run.returncode, (run.stdout + run.stderr)[-800:]))
            else:
                results.append(row("imapsync", count, size, seconds))
        else:
            results.append("imapsync: not available (set IMAPSYNC=path), "
                           "skipped")
    finally:
        daemon.__exit__(None, None, None)
        source.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("Dovecot (Maildir) -> mailroomd, loopback, %d messages, %.1f MB"
          % (count, size / 1e6))
    for line in results:
        print(line)


if __name__ == "__main__":
    main()
