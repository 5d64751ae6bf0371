"""The LMTP listeners of the host: the TCP port and the UNIX socket both
reach the LMTP plugin and deliver into the store."""

import smtplib
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd


class LmtpListenersTest(unittest.TestCase):
    def test_tcp_and_unix_socket_deliver(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = Mailroomd(tmp, plugins=("lmtp",))
            if not server.has_plugin("lmtp"):
                self.skipTest("LMTP plugin not built")
            with server:
                server.add_user("alice", "secret")
                for lmtp in (smtplib.LMTP(server.lmtp_socket),
                             smtplib.LMTP("127.0.0.1", server.lmtp_port)):
                    refused = lmtp.sendmail("x@localhost", ["alice@localhost"],
                                            "Subject: hi\r\n\r\nhello\r\n")
                    self.assertEqual(refused, {})
                    lmtp.quit()
                status = server.ctl("mailbox", "status", "alice", "INBOX")
                self.assertIn("messages: 2", status.stdout)
                self.assertIn("connect from unix to lmtp", server.log())


if __name__ == "__main__":
    unittest.main()
