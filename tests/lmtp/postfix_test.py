"""Postfix relaying to Mailroom's LMTP (TCP and UNIX socket), mail
submitted with swaks and read back over IMAP and POP3.

Skips only when the postfix or swaks binary is missing (Debian packages
postfix and swaks).
"""
import os
import shutil
import subprocess
import time
import unittest

from tests.lmtp.postfix_instance import PostfixInstance, postfix_binary
from tests.harness.mailroomd import free_port
from tests.pop3 import e2e_support as e2e

SWAKS = shutil.which("swaks")




@unittest.skipIf(postfix_binary() is None, "postfix is not installed")
@unittest.skipIf(SWAKS is None, "swaks is not installed")
class PostfixTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = e2e.Server()
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def swaks(self, port, to, subject, extra=()):
        result = subprocess.run(
            [SWAKS, "--server", "127.0.0.1:%d" % port, "--to", to,
             "--from", "sender@example.org", "--header", "Subject: " + subject,
             "--body", "relayed by postfix", "--hide-all", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout.decode())

    def wait_for(self, user, subjects, postfix):
        deadline = time.time() + 30
        while time.time() < deadline:
            got = e2e.imap_subjects(self.server, user)
            if sorted(got) == sorted(subjects):
                return
            time.sleep(0.2)
        self.fail("not delivered: got %r\n%s" % (got, postfix.read_log()))

    def test_relay_over_tcp_lmtp(self):
        self.server.create_user("pfa", "pass")
        self.server.create_user("pfb", "pass")
        port = free_port()
        lmtp = "inet:127.0.0.1:%d" % self.server.lmtp_port
        with PostfixInstance(port, lmtp, e2e.DOMAIN) as postfix:
            self.swaks(port, "pfa@" + e2e.DOMAIN, "to one")
            self.swaks(port, "pfa@%s,pfb@%s" % (e2e.DOMAIN, e2e.DOMAIN),
                       "to two")
            self.wait_for("pfa", ["to one", "to two"], postfix)
            self.wait_for("pfb", ["to two"], postfix)
        client = e2e.pop3(self.server, "pfb")
        self.assertEqual(client.stat()[0], 1)
        lines = client.retr(1)[1]
        self.assertIn(b"relayed by postfix", lines)
        self.assertTrue(any(l.startswith(b"Return-Path: <sender@example.org>")
                            for l in lines))
        client.quit()

    def test_unknown_recipient_bounces_at_lmtp(self):
        self.server.create_user("pfc", "pass")
        port = free_port()
        lmtp = "inet:127.0.0.1:%d" % self.server.lmtp_port
        with PostfixInstance(port, lmtp, e2e.DOMAIN) as postfix:
            self.swaks(port, "nosuchuser@" + e2e.DOMAIN, "lost")
            self.swaks(port, "pfc@" + e2e.DOMAIN, "found")
            self.wait_for("pfc", ["found"], postfix)
            deadline = time.time() + 20
            while "5.1.1" not in postfix.read_log():
                self.assertLess(time.time(), deadline, postfix.read_log())
                time.sleep(0.2)

    def test_relay_over_unix_socket(self):
        self.server.create_user("pfu", "pass")
        port = free_port()
        # Postfix's lmtp client runs as the unprivileged postfix user.
        os.chmod(self.server.lmtp_socket, 0o777)
        lmtp = "unix:" + self.server.lmtp_socket
        with PostfixInstance(port, lmtp, e2e.DOMAIN) as postfix:
            self.swaks(port, "pfu@" + e2e.DOMAIN, "via socket")
            self.wait_for("pfu", ["via socket"], postfix)


if __name__ == "__main__":
    unittest.main()
