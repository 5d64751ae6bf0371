"""migrate imap from a real Dovecot into a running mailroomd: folders
(nested, non-ASCII, Courier-style "INBOX." prefix and "." separator),
subscriptions, special-use, flags, keywords, internal dates, bodies, and
UIDVALIDITY and UIDs message by message; --dry_run; an incremental rerun
after new mail, flag changes, expunges and a new folder; secrets kept off
the command line."""

import os
import shutil
import unittest

from tests.migrate import migrate_support as ms

# Dovecot's names: modified UTF-7, "INBOX." prefix, "." separator.
FOLDERS = ["INBOX.Sent", "INBOX.Trash", "INBOX.Archive", "INBOX.Projects",
           "INBOX.Projects.2026", "INBOX.Entw&APw-rfe",
           "INBOX.&ZeVnLIqe-.Notes"]


class ImapMigrateTest(ms.MigrationTestCase):

    def fill_source(self):
        src = self.source_client()
        for folder in FOLDERS:
            self.assertEqual(src.create(ms.quote(folder))[0], "OK")
        for folder in ("INBOX.Sent", "INBOX.Projects.2026",
                       "INBOX.Entw&APw-rfe"):
            src.subscribe(ms.quote(folder))
        ms.append(src, "INBOX", "plain", date=946684800)
        ms.append(src, "INBOX", "seen", flags="\\Seen", date=1000000000)
        ms.append(src, "INBOX", "many", flags="\\Seen \\Answered \\Flagged "
                  "$Forwarded $Label1 Work", date=1200000000)
        ms.append(src, "INBOX", "draft", flags="\\Draft", date=1300000000)
        ms.append(src, "INBOX", "deleted", flags="\\Deleted", date=1400000000)
        ms.append(src, "INBOX.Sent", "sent mail", flags="\\Seen")
        ms.append(src, "INBOX.Projects.2026", "plan", body="a\r\n.\r\nb\r\n")
        ms.append(src, "INBOX.Entw&APw-rfe", "draft \u00fc".encode(
            "ascii", "replace").decode(), flags="$Important")
        ms.append(src, "INBOX.&ZeVnLIqe-.Notes", "nihongo", size=20000)
        # A gap in the UIDs: keeping UIDs must keep the gap.
        ms.append(src, "INBOX.Trash", "gone")
        ms.append(src, "INBOX.Trash", "kept")
        src.select("INBOX.Trash")
        src.uid("STORE", "1", "+FLAGS", "(\\Deleted)")
        src.expunge()
        src.logout()

    def assert_same_account(self, user):
        src = self.source_client()
        dst = self.local_client(user)
        src_folders = ms.list_folders(src)
        dst_folders = ms.list_folders(dst)
        for name, attributes in src_folders.items():
            if attributes & {"\\Noselect", "\\NonExistent"}:
                continue
            local = ms.local_name(name)
            self.assertIn(local, dst_folders)
            for special in ("\\Sent", "\\Trash", "\\Archive", "\\Drafts",
                            "\\Junk"):
                self.assertEqual(special in attributes,
                                 special in dst_folders[local], (name, special))
            self.assert_same_folder(src, dst, name)
        # Subscriptions of the migrated folders follow the source (the
        # account's own default folders stay as they were).
        migrated = set(ms.local_name(n) for n, a in src_folders.items()
                       if not a & {"\\Noselect", "\\NonExistent"})
        self.assertEqual(
            set(ms.local_name(n) for n in ms.subscriptions(src)),
            ms.subscriptions(dst) & migrated)
        src.logout()
        dst.logout()

    def test_copy_incremental_and_dry_run(self):
        self.fill_source()
        self.daemon.add_user("alice", "local-pass")
        password = "--remote_password_file=" + self.password_files["alice"]
        dst = self.local_client("alice")
        folders_before = set(ms.list_folders(dst))
        dst.logout()

        # The secret is refused on the command line.
        result = self.daemon.ctl("migrate", "imap", "--host=127.0.0.1",
                                 "--port=%d" % self.source.imap_port,
                                 "--remote_user=alice", "--user=alice",
                                 "--remote_password=" + ms.PASSWORD,
                                 check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--remote_password_file", result.stderr)

        # --dry_run reports and writes nothing.
        code, report, _ = self.migrate("--remote_user=alice", "--user=alice",
                                       password, "--dry_run")
        self.assertTrue(report["ok"])
        self.assertTrue(report["dry_run"])
        self.assertEqual(report["copied"], 10)
        dst = self.local_client("alice")
        self.assertEqual(set(ms.list_folders(dst)), folders_before)
        self.assertEqual(ms.folder_contents(dst, "INBOX")[1], {})
        dst.logout()
        self.assertFalse(os.path.exists(
            os.path.join(self.daemon.data_dir, "migrate")))

        code, report, _ = self.migrate("--remote_user=alice", "--user=alice",
                                       password)
        self.assertEqual(report["copied"], 10)
        self.assertEqual(report["failed"], 0)
        self.assertTrue(all(f["uids_kept"] for f in report["folders"]),
                        report)
        self.assert_same_account("alice")

        # A second run right away changes nothing.
        code, report, _ = self.migrate("--remote_user=alice", "--user=alice",
                                       password)
        self.assertEqual(report["copied"], 0)
        self.assertEqual(sum(f["flags_updated"] for f in report["folders"]), 0)
        self.assertEqual(sum(f["present"] for f in report["folders"]), 10)

        # Changes on the source: new mail, flags, an expunge, a new folder.
        src = self.source_client()
        ms.append(src, "INBOX", "new one", flags="$New")
        ms.append(src, "INBOX.Projects.2026", "new plan")
        src.select("INBOX")
        src.uid("STORE", "1", "+FLAGS", "(\\Seen $Later)")
        src.uid("STORE", "3", "-FLAGS", "(\\Flagged Work)")
        src.uid("STORE", "2", "+FLAGS", "(\\Deleted)")
        src.expunge()
        src.create("INBOX.Later")
        src.subscribe("INBOX.Later")
        ms.append(src, "INBOX.Later", "later")
        src.logout()

        code, report, _ = self.migrate("--remote_user=alice", "--user=alice",
                                       password, "--dry_run")
        self.assertEqual(report["copied"], 3)
        code, report, _ = self.migrate("--remote_user=alice", "--user=alice",
                                       password)
        self.assertEqual(report["copied"], 3)
        folders = {f["local"]: f for f in report["folders"]}
        # UID 2 and UID 5 (\\Deleted since the start) went.
        self.assertEqual(folders["INBOX"]["expunged"], 2)
        self.assertEqual(folders["INBOX"]["flags_updated"], 2)
        self.assert_same_account("alice")

        # With the state gone (say, a rerun from another node), the copies
        # are recognised under their own UIDs: nothing is copied twice.
        shutil.rmtree(os.path.join(self.daemon.data_dir, "migrate"))
        code, report, _ = self.migrate("--remote_user=alice", "--user=alice",
                                       password)
        self.assertEqual(report["copied"], 0)
        self.assertTrue(all(f["uids_kept"] for f in report["folders"]),
                        report)
        self.assert_same_account("alice")

        # The password never reached the daemon's command line or log.
        with open("/proc/%d/cmdline" % self.daemon.pid, "rb") as f:
            self.assertNotIn(ms.PASSWORD.encode(), f.read())
        self.assertNotIn(ms.PASSWORD, self.daemon.log())

    def test_refuses_bad_password_and_unknown_host(self):
        bad = os.path.join(self.dir, "bad.password")
        with open(bad, "w") as f:
            f.write("wrong\n")
        code, report, stderr = self.migrate(
            "--remote_user=alice", "--user=alice",
            "--remote_password_file=" + bad, check=False)
        self.assertNotEqual(code, 0)
        self.assertFalse(report["ok"])
        self.assertIn("login", report["error"].lower())

    def test_into_a_mailbox_with_mail_of_its_own(self):
        # The local INBOX already holds mail: UIDs cannot be kept, the
        # per-account state maps them, and reruns still neither duplicate
        # nor miss anything.
        src = ms.imap_login("127.0.0.1", self.source.imap_port, "dave",
                            ms.PASSWORD)
        for i in range(4):
            ms.append(src, "INBOX", "dave %d" % i, flags="$K%d" % i)
        src.logout()
        self.daemon.add_user("dave", "local-pass")
        local = self.local_client("dave", "local-pass")
        ms.append(local, "INBOX", "already here")
        local.logout()
        args = ["--remote_user=dave", "--user=dave",
                "--remote_password_file=" + self.password_files["dave"]]
        code, report, _ = self.migrate(*args)
        inbox = [f for f in report["folders"] if f["local"] == "INBOX"][0]
        self.assertEqual(inbox["copied"], 4)
        self.assertFalse(inbox["uids_kept"])

        src = ms.imap_login("127.0.0.1", self.source.imap_port, "dave",
                            ms.PASSWORD)
        src.select("INBOX")
        src.uid("STORE", "2", "+FLAGS", "(\\Seen)")
        src.uid("STORE", "3", "+FLAGS", "(\\Deleted)")
        src.expunge()
        ms.append(src, "INBOX", "dave new")
        src.logout()
        code, report, _ = self.migrate(*args)
        inbox = [f for f in report["folders"] if f["local"] == "INBOX"][0]
        self.assertEqual((inbox["copied"], inbox["expunged"],
                          inbox["flags_updated"]), (1, 1, 1))

        src = ms.imap_login("127.0.0.1", self.source.imap_port, "dave",
                            ms.PASSWORD)
        _, source_messages = ms.folder_contents(src, "INBOX")
        src.logout()
        local = self.local_client("dave", "local-pass")
        _, local_messages = ms.folder_contents(local, "INBOX")
        local.logout()
        own = [m for m in local_messages.values()
               if b"already here" in m[2]]
        self.assertEqual(len(own), 1)
        self.assertEqual(
            sorted(m for m in local_messages.values() if m not in own),
            sorted(source_messages.values()))

    def test_source_uidvalidity_change_starts_the_folder_over(self):
        src = ms.imap_login("127.0.0.1", self.source.imap_port, "erin",
                            ms.PASSWORD)
        src.create("INBOX.Box")
        ms.append(src, "INBOX.Box", "old one")
        ms.append(src, "INBOX.Box", "old two")
        src.logout()
        self.daemon.add_user("erin", "local-pass")
        args = ["--remote_user=erin", "--user=erin",
                "--remote_password_file=" + self.password_files["erin"]]
        self.migrate(*args)
        # Deleted and created again: a new UIDVALIDITY on the source.
        src = ms.imap_login("127.0.0.1", self.source.imap_port, "erin",
                            ms.PASSWORD)
        src.delete("INBOX.Box")
        src.create("INBOX.Box")
        ms.append(src, "INBOX.Box", "old two")
        ms.append(src, "INBOX.Box", "new three")
        src.logout()
        code, report, _ = self.migrate(*args)
        box = [f for f in report["folders"] if f["local"] == "Box"][0]
        self.assertEqual((box["copied"], box["expunged"]), (2, 2))
        self.assertIn("UIDVALIDITY changed", " ".join(box["notes"]))
        src = ms.imap_login("127.0.0.1", self.source.imap_port, "erin",
                            ms.PASSWORD)
        _, source_messages = ms.folder_contents(src, "INBOX.Box")
        src.logout()
        local = self.local_client("erin", "local-pass")
        _, local_messages = ms.folder_contents(local, "Box")
        local.logout()
        self.assertEqual(sorted(local_messages.values()),
                         sorted(source_messages.values()))

    def test_refused_messages_fail_alone_and_are_copied_later(self):
        src = ms.imap_login("127.0.0.1", self.source.imap_port, "frank",
                            ms.PASSWORD)
        for i in range(5):
            ms.append(src, "INBOX", "frank %d" % i)
        src.logout()
        self.daemon.add_user("frank", "local-pass")
        self.daemon.ctl("quota", "set", "frank", "--messages=3")
        args = ["--remote_user=frank", "--user=frank",
                "--remote_password_file=" + self.password_files["frank"]]
        code, report, _ = self.migrate(*args, check=False)
        self.assertNotEqual(code, 0)
        self.assertFalse(report["ok"])
        inbox = [f for f in report["folders"] if f["local"] == "INBOX"][0]
        self.assertEqual((inbox["copied"], inbox["failed"]), (3, 2))
        self.assertIn("not copied", " ".join(inbox["notes"]))

        self.daemon.ctl("quota", "set", "frank", "--messages=none")
        code, report, _ = self.migrate(*args)
        inbox = [f for f in report["folders"] if f["local"] == "INBOX"][0]
        self.assertEqual((inbox["copied"], inbox["failed"]), (2, 0))
        src = ms.imap_login("127.0.0.1", self.source.imap_port, "frank",
                            ms.PASSWORD)
        local = self.local_client("frank", "local-pass")
        self.assert_same_folder(src, local, "INBOX")
        src.logout()
        local.logout()


ImapMigrateTest.source_users = {"alice": ms.PASSWORD, "dave": ms.PASSWORD,
                                "erin": ms.PASSWORD, "frank": ms.PASSWORD}


if __name__ == "__main__":
    unittest.main()
