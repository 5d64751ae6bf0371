"""mailroomctl index status / index backlog / reindex against a running
daemon (admin socket) and a stopped one (the store opened directly)."""

import os
import re
import tempfile
import time
import unittest

from tests.harness.mailroomd import Mailroomd

MESSAGES = 60


def mbox_bytes():
    parts = []
    for i in range(MESSAGES):
        word = "zebracorn" if i % 3 == 0 else "ordinary"
        parts.append(
            b"From sender@example.com Sat Jan  3 01:05:34 2026\n"
            b"From: sender@example.com\nSubject: note %d\n\n"
            b"line one of message %d\nit mentions %s words\n\n"
            % (i, i, word.encode()))
    return b"".join(parts)


def plain_status(server, *users):
    """{user: (queued, bytes, last_commit or None)} from --format=plain."""
    out = server.ctl("index", "status", *users, "--format=plain").stdout
    rows = {}
    for line in out.splitlines():
        user, queued, size, last = line.split(" ")
        rows[user] = (int(queued), int(size),
                      None if last == "-" else int(last))
    return rows


def wait_drained(server, user, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if plain_status(server, user)[user][0] == 0:
            return
        time.sleep(0.2)
    raise AssertionError("index queue of %s never drained" % user)


class AdminIndexTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        # No protocol is needed: mail comes in by mbox import and the index
        # is read back through the status command.
        self.server = Mailroomd(self.tmp.name, tls=False, plugins=())
        self.mbox = os.path.join(self.tmp.name, "mail.mbox")
        with open(self.mbox, "wb") as f:
            f.write(mbox_bytes())

    def tearDown(self):
        self.tmp.cleanup()

    def test_status_and_reindex_with_the_daemon_running(self):
        server = self.server
        with server:
            server.add_user("dana", "pw-dana")
            server.add_user("emil", "pw-emil")
            server.ctl("import", "mbox", self.mbox, "--user", "dana")
            wait_drained(server, "dana")

            # The table: a header, one row per user, a total.
            table = server.ctl("index", "status").stdout
            lines = table.splitlines()
            self.assertIn("queued", lines[0])
            self.assertIn("last commit", lines[0])
            dana = [l for l in lines if l.startswith("dana ")]
            self.assertEqual(len(dana), 1, table)
            self.assertRegex(dana[0], r"^dana\s+0\s+[0-9.]+ (B|KiB|MiB)\s+"
                                      r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$")
            emil = [l for l in lines if l.startswith("emil ")]
            self.assertEqual(len(emil), 1, table)
            self.assertRegex(emil[0], r"^emil\s+0\s+none\s+-$")
            self.assertTrue(lines[-1].startswith("total"), table)

            # The older name answers the same.
            self.assertEqual(server.ctl("index", "backlog").stdout, table)

            before = plain_status(server, "dana")["dana"]
            self.assertEqual(before[0], 0)
            self.assertGreater(before[1], 0)
            self.assertIsNotNone(before[2])

            # Not a terminal: plain progress lines, then done.
            out = server.ctl("reindex", "dana").stdout
            self.assertIn("reindex queued for dana", out)
            progress = re.findall(r"^reindex: (\d+)/(\d+)$",
                                  out, re.M)
            self.assertTrue(progress, out)
            done, total = map(int, progress[-1])
            self.assertEqual(done, total)
            self.assertTrue(out.rstrip().endswith("reindex complete"), out)
            after = plain_status(server, "dana")["dana"]
            self.assertEqual(after[0], 0)
            self.assertGreater(after[1], 0)

            # --no-wait returns once the work is queued.
            out = server.ctl("reindex", "--no-wait").stdout
            self.assertIn("reindex queued for every user", out)
            self.assertNotIn("reindex complete", out)
            wait_drained(server, "dana")
            self.assertGreater(plain_status(server, "dana")["dana"][1], 0)

            # Errors keep their exit codes and say why.
            bad = server.ctl("reindex", "nobody", check=False)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("error", bad.stderr)
            usage = server.ctl("index", "frobnicate", check=False)
            self.assertEqual(usage.returncode, 2)

    def test_reindex_with_the_daemon_stopped(self):
        server = self.server
        with server:
            server.add_user("dana", "pw-dana")
            server.ctl("import", "mbox", self.mbox, "--user", "dana")
            wait_drained(server, "dana")
        # mailroomctl opens the store itself and indexes in this process.
        out = server.ctl("reindex", "dana").stdout
        self.assertIn("reindex complete", out)
        status = plain_status(server, "dana")["dana"]
        self.assertEqual(status[0], 0)
        self.assertGreater(status[1], 0)


if __name__ == "__main__":
    unittest.main()
