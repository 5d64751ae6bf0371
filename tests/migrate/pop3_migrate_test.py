"""migrate pop3 from a real Dovecot: the maildrop lands in INBOX once
(keyed by UIDL), a rerun adds nothing, --delete_after_verify deletes on the
source exactly what is stored here."""

import poplib
import unittest

from tests.migrate import migrate_support as ms


class Pop3MigrateTest(ms.MigrationTestCase):

    def source_pop3_count(self):
        client = poplib.POP3("127.0.0.1", self.source.pop3_port)
        client.user("alice")
        client.pass_(ms.PASSWORD)
        count = client.stat()[0]
        client.quit()
        return count

    def local_bodies(self, user):
        client = self.local_client(user)
        _, messages = ms.folder_contents(client, "INBOX")
        client.logout()
        return sorted(body for _, _, body in messages.values())

    def test_copy_once_then_delete_after_verify(self):
        src = self.source_client()
        for i in range(5):
            ms.append(src, "INBOX", "pop %d" % i, body=".leading dot\r\n%d\r\n" % i)
        # POP3 has no internal date: the Date header (folded) stands in.
        src.append("INBOX", None, None,
                   b"Date: Sat, 01 Jan 2000\r\n 01:00:00 +0100\r\n"
                   b"Subject: dated\r\n\r\nbody\r\n")
        src.logout()
        self.daemon.add_user("bob", "local-pass")
        password = "--remote_password_file=" + self.password_files["alice"]
        args = ["--remote_user=alice", "--user=bob", password]

        code, report, _ = self.migrate(*args, "--dry_run", kind="pop3")
        self.assertEqual(report["copied"], 6)
        self.assertEqual(self.local_bodies("bob"), [])

        code, report, _ = self.migrate(*args, kind="pop3")
        self.assertEqual(report["copied"], 6)
        src = self.source_client()
        _, source_messages = ms.folder_contents(src, "INBOX")
        src.logout()
        expected = sorted(body for _, _, body in source_messages.values())
        self.assertEqual(self.local_bodies("bob"), expected)
        local = self.local_client("bob")
        _, messages = ms.folder_contents(local, "INBOX")
        local.logout()
        dated = [m for m in messages.values() if b"Subject: dated" in m[2]]
        self.assertEqual(dated[0][1], 946684800)

        code, report, _ = self.migrate(*args, kind="pop3")
        self.assertEqual(report["copied"], 0)
        self.assertEqual(report["folders"][0]["present"], 6)

        src = self.source_client()
        ms.append(src, "INBOX", "pop late")
        src.logout()
        # A dry run with --delete_after_verify deletes nothing.
        code, report, _ = self.migrate(*args, "--dry_run",
                                       "--delete_after_verify", kind="pop3")
        self.assertEqual(report["copied"], 1)
        self.assertEqual(report["folders"][0]["deleted_on_source"], 6)
        self.assertEqual(self.source_pop3_count(), 7)

        code, report, _ = self.migrate(*args, "--delete_after_verify",
                                       kind="pop3")
        self.assertEqual(report["copied"], 1)
        self.assertEqual(report["folders"][0]["deleted_on_source"], 7)
        self.assertEqual(self.source_pop3_count(), 0)
        self.assertEqual(len(self.local_bodies("bob")), 7)

    def test_delete_after_verify_keeps_what_is_not_stored(self):
        # Mail copied earlier but since deleted here is not verified: it
        # stays on the source.
        src = self.source_client()
        src.create("INBOX.unused")
        src.logout()
        self.source_users_extra = None
        self.daemon.add_user("carol", "local-pass")
        src = ms.imap_login("127.0.0.1", self.source.imap_port, "carol",
                            ms.PASSWORD)
        ms.append(src, "INBOX", "c1")
        ms.append(src, "INBOX", "c2")
        src.logout()
        args = ["--remote_user=carol", "--user=carol",
                "--remote_password_file=" + self.password_files["carol"]]
        code, report, _ = self.migrate(*args, kind="pop3")
        self.assertEqual(report["copied"], 2)
        local = self.local_client("carol")
        local.select("INBOX")
        local.uid("STORE", "1", "+FLAGS", "(\\Deleted)")
        local.expunge()
        local.logout()
        code, report, _ = self.migrate(*args, "--delete_after_verify",
                                       kind="pop3")
        self.assertEqual(report["copied"], 0)
        self.assertEqual(report["folders"][0]["deleted_on_source"], 1)
        client = poplib.POP3("127.0.0.1", self.source.pop3_port)
        client.user("carol")
        client.pass_(ms.PASSWORD)
        self.assertEqual(client.stat()[0], 1)
        client.quit()


Pop3MigrateTest.source_users = {"alice": ms.PASSWORD, "carol": ms.PASSWORD}


if __name__ == "__main__":
    unittest.main()
