"""A daemon stopped with thousands of messages still waiting for the
full-text index exits after the batch in hand instead of draining the
queue, and indexes the rest after its next start (the queue is persisted)."""

import imaplib
import os
import tempfile
import time
import unittest

from tests.harness.mailroomd import Mailroomd

MESSAGES = 3000


def mbox_bytes():
    parts = []
    for i in range(MESSAGES):
        parts.append(
            b"From sender@example.com Sat Jan  3 01:05:34 2026\n"
            b"From: sender@example.com\nSubject: backlog %d\n\n"
            b"every message here mentions quokkas, number %d\n\n" % (i, i))
    return b"".join(parts)


def queued(server, user):
    out = server.ctl("index", "status", user, "--format=plain").stdout
    for line in out.splitlines():
        fields = line.split(" ")
        if fields[0] == user:
            return int(fields[1])
    raise AssertionError("no index status row for %s:\n%s" % (user, out))


class StopWithBacklogTest(unittest.TestCase):
    def test_stop_leaves_the_backlog_queued_and_restart_indexes_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            mbox = os.path.join(tmp, "mail.mbox")
            with open(mbox, "wb") as f:
                f.write(mbox_bytes())
            server = Mailroomd(tmp, tls=False, plugins=("imap",))
            with server:
                server.add_user("dana", "pw-dana")
                server.ctl("import", "mbox", mbox, "--user", "dana")
                # SIGTERM with most of the backlog still queued. Draining it
                # would take far longer than the current batch.
                self.assertEqual(server.stop(timeout=120), 0, server.log())
                left = queued(server, "dana")
                self.assertGreater(left, 0,
                                   "the stop drained the whole queue")

                server.start()
                deadline = time.time() + 240
                while queued(server, "dana") > 0:
                    self.assertLess(time.time(), deadline,
                                    "the backlog was never indexed")
                    time.sleep(0.5)
                imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
                imap.login("dana", "pw-dana")
                imap.select("INBOX", readonly=True)
                typ, data = imap.search(None, "BODY", "quokkas")
                self.assertEqual(typ, "OK")
                self.assertEqual(len(data[0].split()), MESSAGES)
                imap.logout()


if __name__ == "__main__":
    unittest.main()
