"""A large migration interrupted twice — mailroomctl killed, then mailroomd
killed with SIGKILL — and resumed: in the end every message is there once,
with its UID, nothing missing, nothing duplicated."""

import glob
import hashlib
import json
import os
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

    def test_crash_after_append_before_the_state_is_saved(self):
        # The state as a crash right after a batch's append leaves it: the
        # batch only as `pending` hashes. The next run must adopt the copies
        # (matched by content), not copy them again.
        src = ms.imap_login("127.0.0.1", self.source.imap_port, "gina",
                            ms.PASSWORD)
        for i in range(8):
            ms.append(src, "INBOX", "gina %d" % i)
        src.logout()
        self.daemon.add_user("gina", "local-pass")
        local = self.local_client("gina")
        ms.append(local, "INBOX", "local first")  # so UIDs are mapped
        local.logout()
        args = ["--remote_user=gina", "--user=gina",
                "--remote_password_file=" + self.password_files["gina"]]
        code, report, _ = self.migrate(*args)
        self.assertEqual(report["copied"], 8, report)

        src = ms.imap_login("127.0.0.1", self.source.imap_port, "gina",
                            ms.PASSWORD)
        _, source_messages = ms.folder_contents(src, "INBOX")
        src.logout()
        [path] = glob.glob(os.path.join(self.daemon.data_dir, "migrate",
                                        "imap-gina-*.json"))
        with open(path) as f:
            state = json.load(f)
        inbox = state["folders"]["INBOX"]
        pairs = {}
        for source_uid, local_uid, count in inbox["map"]:
            for k in range(count):
                pairs[source_uid + k] = local_uid + k
        cut = sorted(pairs)[5]  # the last three "not yet recorded"
        inbox["map"] = [[s, l, 1] for s, l in pairs.items() if s < cut]
        inbox["pending"] = {
            "local_uidnext": pairs[cut],
            "hashes": [[str(s), hashlib.sha256(source_messages[s][2])
                        .hexdigest()] for s in sorted(pairs) if s >= cut]}
        with open(path, "w") as f:
            json.dump(state, f)

        code, report, _ = self.migrate(*args)
        self.assertEqual(report["copied"], 0)
        local = self.local_client("gina")
        _, local_messages = ms.folder_contents(local, "INBOX")
        local.logout()
        self.assertEqual(len(local_messages), 9)


ResumeMigrateTest.source_users = {"alice": ms.PASSWORD, "gina": ms.PASSWORD}


if __name__ == "__main__":
    unittest.main()
