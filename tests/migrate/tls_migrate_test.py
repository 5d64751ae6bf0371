"""The source's certificate is verified: trusted with --ca_file (a
certificate from `mailroomctl cert generate`), refused without it, accepted
unverified only with --insecure; implicit TLS and STARTTLS/STLS."""

import unittest

from tests.migrate import migrate_support as ms


class TlsMigrateTest(ms.MigrationTestCase):
    source_tls = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        src = ms.imap_login("127.0.0.1", cls.source.imap_port, "alice",
                            ms.PASSWORD)
        ms.append(src, "INBOX", "over tls", flags="\\Seen")
        src.logout()

    def args(self, user):
        return ["--remote_user=alice", "--user=" + user,
                "--remote_password_file=" + self.password_files["alice"]]

    def test_untrusted_certificate_is_refused(self):
        self.daemon.add_user("t1", "local-pass")
        code, report, stderr = self.migrate(
            *self.args("t1"), "--tls", port=self.source.imaps_port,
            check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("not trusted", report["error"])
        code, report, stderr = self.migrate(
            *self.args("t1"), "--starttls", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("not trusted", report["error"])
        code, report, _ = self.migrate(*self.args("t1"), "--tls", "--insecure",
                                       port=self.source.imaps_port)
        self.assertEqual(report["copied"], 1)

    def test_private_ca(self):
        self.daemon.add_user("t2", "local-pass")
        code, report, _ = self.migrate(
            *self.args("t2"), "--tls", "--ca_file=" + self.source_cert,
            port=self.source.imaps_port)
        self.assertEqual(report["copied"], 1)
        src = self.source_client()
        dst = self.local_client("t2")
        self.assert_same_folder(src, dst, "INBOX")
        src.logout()
        dst.logout()

    def test_starttls_and_stls(self):
        self.daemon.add_user("t3", "local-pass")
        code, report, _ = self.migrate(
            *self.args("t3"), "--starttls", "--ca_file=" + self.source_cert)
        self.assertEqual(report["copied"], 1)
        self.daemon.add_user("t4", "local-pass")
        code, report, _ = self.migrate(
            *self.args("t4"), "--stls", "--ca_file=" + self.source_cert,
            kind="pop3")
        self.assertEqual(report["copied"], 1)
        code, report, _ = self.migrate(
            *self.args("t4"), "--tls", "--ca_file=" + self.source_cert,
            kind="pop3", port=self.source.pop3s_port)
        self.assertEqual(report["copied"], 0)


if __name__ == "__main__":
    unittest.main()
