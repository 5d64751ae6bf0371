"""mailroomctl verify, repair and quota recalc end to end: a clean store
passes with the daemon running (through its admin socket) and stopped; a
store damaged while the daemon is stopped fails verify naming each problem,
repair fixes them, and verify passes again."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from tests.harness.mailroomd import Mailroomd, find_file

MESSAGES = 6


def mbox_bytes(tag):
    parts = []
    for i in range(MESSAGES):
        parts.append(
            b"From sender@example.com Sat Jan  3 01:05:34 2026\n"
            b"From: sender@example.com\nSubject: %s note %d\n\n"
            b"body of %s message %d\n\n" % (tag, i, tag, i))
    return b"".join(parts)


class AdminVerifyTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.server = Mailroomd(self.tmp.name, tls=False, plugins=())
        self.damage_store = find_file("tests/store/damage_store")
        self.assertIsNotNone(self.damage_store, "damage_store not built")
        self.server.start()
        for user in ("alice", "bob"):
            self.server.add_user(user, "pw-" + user)
            mbox = os.path.join(self.tmp.name, user + ".mbox")
            with open(mbox, "wb") as f:
                f.write(mbox_bytes(user.encode()))
            self.server.ctl("import", "mbox", mbox, "--user", user)
        # Indexing gathers deliveries before one commit; the damage test
        # needs every owner's index on disk before it stops the daemon.
        deadline = time.monotonic() + 60
        while any(self.queued(user) for user in ("alice", "bob")):
            self.assertLess(time.monotonic(), deadline, self.server.log())
            time.sleep(0.1)

    def queued(self, user):
        out = self.server.ctl("index", "status", user,
                              "--format=plain").stdout
        for line in out.splitlines():
            fields = line.split(" ")
            if fields[0] == user:
                return int(fields[1])
        raise AssertionError("no index status row for %s:\n%s" % (user, out))

    def tearDown(self):
        self.server.kill9()
        self.tmp.cleanup()

    def restart_daemon(self):
        # The log keeps the first start's ready line: wait for a new one.
        ready = self.server.log().count("mailroomd ready")
        self.server.start()
        deadline = time.monotonic() + 30
        while self.server.log().count("mailroomd ready") <= ready:
            self.assertLess(time.monotonic(), deadline, self.server.log())
            time.sleep(0.05)

    def verify(self, *args):
        return self.server.ctl("verify", *args, check=False)

    def damage(self, *damages):
        args = [self.damage_store, "--data_dir=" + self.server.data_dir]
        for i, words in enumerate(damages):
            if i:
                args.append("--")
            args += list(words)
        subprocess.run(args, check=True, timeout=60)

    def test_clean_store_through_the_running_daemon(self):
        result = self.verify()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("2 user(s), 12 mailbox(es), 12 message(s): no problems",
                      result.stdout)
        doc = json.loads(self.verify("--json").stdout)
        self.assertTrue(doc["ok"])
        self.assertEqual(doc["messages"], 12)
        self.assertEqual(doc["problems"], [])
        self.assertEqual(self.verify("alice").returncode, 0)
        repair = self.server.ctl("repair", check=False)
        self.assertEqual(repair.returncode, 0, repair.stdout + repair.stderr)
        recalc = self.server.ctl("quota", "recalc", "alice")
        self.assertIn("quota usage of alice is right", recalc.stdout)

    def test_damage_is_found_repaired_and_gone(self):
        self.server.stop()
        self.damage(("drop-body", "alice", "INBOX", "1"),
                    ("message-counter", "alice", "INBOX", "99"),
                    ("quota", "alice", "1", "1"),
                    ("refcount", "alice", "INBOX", "2", "1"),
                    ("stale-change", "alice", "INBOX", "3"),
                    ("unreferenced-body", "a body nobody refers to"),
                    ("message-counter", "bob", "INBOX", "3"))
        # The full-text index of alice is lost.
        index = os.path.join(self.server.data_dir, "index", "alice")
        self.assertTrue(os.path.isdir(index), os.listdir(
            os.path.join(self.server.data_dir, "index")))
        shutil.rmtree(index)

        result = self.verify()
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        out = result.stdout
        for expected in ("alice/INBOX: UID 1: the message body",
                         "alice/INBOX: counters are 99 messages",
                         "alice: quota usage is 1 bytes, 1 messages",
                         "store: reference count of body",
                         "alice/INBOX: stale change log entry for UID 3",
                         "is stored but no message refers to it",
                         "bob/INBOX: counters are 3 messages",
                         "alice/INBOX: full-text index lacks 6 messages"):
            self.assertIn(expected, out)

        doc = json.loads(self.verify("--json").stdout)
        self.assertFalse(doc["ok"])
        self.assertEqual(doc["problem_count"], len(doc["problems"]))
        self.assertGreaterEqual(doc["problem_count"], 8)

        bob = self.verify("bob")
        self.assertEqual(bob.returncode, 1)
        self.assertIn("bob/INBOX: counters are 3 messages", bob.stdout)
        self.assertNotIn("alice", bob.stdout)

        repair = self.server.ctl("repair", "--json", check=False)
        self.assertEqual(repair.returncode, 0, repair.stdout + repair.stderr)
        done = json.loads(repair.stdout)
        self.assertTrue(done["ok"])
        self.assertEqual(done["repaired"], done["problem_count"])
        repairs = [p["repair"] for p in done["problems"]]
        self.assertTrue(any("expunged UID 1" in r for r in repairs), repairs)
        self.assertTrue(any("index of alice queued for rebuilding" in r
                            for r in repairs), repairs)

        again = self.verify()
        self.assertEqual(again.returncode, 0, again.stdout)
        self.assertIn("11 message(s): no problems", again.stdout)

        # quota recalc reports the old and the new usage.
        self.damage(("quota", "bob", "7", "70"))
        recalc = self.server.ctl("quota", "recalc", "bob")
        self.assertIn("quota usage of bob: was 7 bytes, 70 messages; now",
                      recalc.stdout)
        self.assertIn("6 messages", recalc.stdout)

        # The daemon serves the repaired store, and verify through it passes.
        self.restart_daemon()
        result = self.verify()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        status = self.server.ctl("mailbox", "status", "alice", "INBOX").stdout
        self.assertIn("5", status)


if __name__ == "__main__":
    unittest.main()
