"""--users_file: several accounts, a bounded number at once, one report per
account; an account with a wrong password fails alone and the command exits
non-zero."""

import os
import unittest

from tests.migrate import migrate_support as ms


class UsersFileMigrateTest(ms.MigrationTestCase):
    source_users = {"u1": "pw-one", "u2": "pw-two", "u3": "pw-three"}

    def test_three_accounts_one_failing(self):
        for user in self.source_users:
            src = self.source_client(user)
            for i in range(3):
                ms.append(src, "INBOX", "%s mail %d" % (user, i))
            src.create("INBOX.Folder")
            ms.append(src, "INBOX.Folder", "%s folder" % user)
            src.logout()
            self.daemon.add_user("local" + user, "local-pass")
        wrong = os.path.join(self.dir, "wrong.password")
        with open(wrong, "w") as f:
            f.write("not-the-password\n")
        users_file = os.path.join(self.dir, "users.txt")
        with open(users_file, "w") as f:
            f.write("# local remote password-file\n\n")
            f.write("localu1 u1 %s\n" % os.path.basename(self.password_files["u1"]))
            f.write("localu2 u2 %s\n" % wrong)
            f.write("localu3\tu3  %s\n" % self.password_files["u3"])
        code, report, stderr = self.migrate("--users_file=" + users_file,
                                            "--parallel=2", check=False)
        self.assertNotEqual(code, 0)
        self.assertFalse(report["ok"])
        self.assertEqual(report["failed_accounts"], 1)
        accounts = {a["user"]: a for a in report["accounts"]}
        self.assertTrue(accounts["localu1"]["ok"])
        self.assertTrue(accounts["localu3"]["ok"])
        self.assertEqual(accounts["localu1"]["copied"], 4)
        self.assertEqual(accounts["localu3"]["copied"], 4)
        self.assertFalse(accounts["localu2"]["ok"])
        self.assertIn("login", accounts["localu2"]["error"].lower())
        for user in ("u1", "u3"):
            src = self.source_client(user)
            dst = self.local_client("local" + user)
            self.assert_same_folder(src, dst, "INBOX")
            self.assert_same_folder(src, dst, "INBOX.Folder")
            src.logout()
            dst.logout()

        # A rerun copies nothing again; the per-account report says so.
        code, report, _ = self.migrate("--users_file=" + users_file,
                                       check=False)
        accounts = {a["user"]: a for a in report["accounts"]}
        self.assertEqual(accounts["localu1"]["copied"], 0)
        self.assertEqual(accounts["localu1"]["skipped"], 4)

        # Text output: one line per account.
        result = self.daemon.ctl("migrate", "imap", "--host=127.0.0.1",
                                 "--port=%d" % self.source.imap_port,
                                 "--users_file=" + users_file, check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("localu2 <- u2: FAILED", result.stdout)
        self.assertIn("2 of 3 account(s) migrated", result.stdout)
        self.assertNotIn("pw-one", result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
