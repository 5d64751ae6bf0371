"""A large migration interrupted twice — mailroomctl killed, then mailroomd
killed with SIGKILL — and resumed: in the end every message is there once,
with its UID, nothing missing, nothing duplicated."""

import os
import signal
import subprocess
import time
import unittest

from tests.migrate import migrate_support as ms

MESSAGES = 1500


class ResumeMigrateTest(ms.MigrationTestCase):

    def local_count(self, user):
        try:
            client = self.local_client(user)
        except OSError:
            return -1
        try:
            typ, data = client.status("INBOX", "(MESSAGES)")
            return int(data[0].split(b"MESSAGES ")[1].rstrip(b")"))
        finally:
            client.logout()

    def start_migration(self, user):
        return subprocess.Popen(
            [self.daemon.mailroomctl, "--data_dir=" + self.daemon.data_dir,
             "migrate", "imap", "--host=127.0.0.1",
             "--port=%d" % self.source.imap_port, "--remote_user=alice",
             "--user=" + user, "--batch_messages=10", "--json",
             "--remote_password_file=" + self.password_files["alice"]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def wait_for_progress(self, user, at_least, process):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.local_count(user) >= at_least:
                return True
            if process.poll() is not None:
                return False
            time.sleep(0.02)
        self.fail("no progress")

    def test_killed_twice_then_resumed(self):
        self.source.write_maildir(
            "alice", ((ms.message("bulk %d" % i, size=2000),
                       "S" if i % 3 == 0 else "") for i in range(MESSAGES)))
        self.daemon.add_user("bulk", "local-pass")

        # 1. mailroomctl dies: the daemon stops at its next batch.
        process = self.start_migration("bulk")
        self.assertTrue(self.wait_for_progress("bulk", 100, process))
        process.kill()
        process.wait()
        first = self.local_count("bulk")
        self.assertLess(first, MESSAGES)

        # 2. A rerun is killed with the daemon (kill -9) half-way; a rerun
        # started while the cancelled one still finishes a batch is refused.
        deadline = time.monotonic() + 60
        while True:
            process = self.start_migration("bulk")
            if self.wait_for_progress("bulk", first + 200, process):
                break
            out, err = process.communicate()
            self.assertIn(b"already running", out + err)
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)
        self.daemon.kill9()
        process.wait()
        self.assertNotEqual(process.returncode, 0)
        self.daemon.start()
        second = self.local_count("bulk")
        self.assertLess(second, MESSAGES)

        # 3. The last run completes the folder.
        code, report, _ = self.migrate("--remote_user=alice", "--user=bulk",
                                       "--remote_password_file=" +
                                       self.password_files["alice"])
        self.assertEqual(report["copied"] + second, MESSAGES)
        src = self.source_client()
        dst = self.local_client("bulk")
        self.assert_same_folder(src, dst, "INBOX")
        src.logout()
        dst.logout()


if __name__ == "__main__":
    unittest.main()
