"""LMTP delivers into every mailbox without authentication: it listens on
loopback (lmtp_listen) even when the public protocols listen everywhere."""

import re
import smtplib
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd


def listening(log, plugin):
    """The addresses the log says `plugin` listens on over TCP."""
    return re.findall(r"listening: %s on (\S+):\d+$" % plugin, log, re.M)


class LmtpElsewhere(Mailroomd):
    """The harness polls 127.0.0.1; here LMTP listens elsewhere."""

    def tcp_ports(self):
        return [p for p in super().tcp_ports() if p != self.lmtp_port]


class LmtpListenTest(unittest.TestCase):
    def test_lmtp_stays_on_loopback_when_listen_is_everywhere(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = Mailroomd(tmp, tls=False,
                               extra_flags=["--listen=0.0.0.0"])
            if not server.has_plugin("lmtp"):
                self.skipTest("LMTP plugin not built")
            with server:
                server.add_user("alice", "secret")
                log = server.log()
                self.assertEqual(listening(log, "imap"), ["0.0.0.0"])
                lmtp = listening(log, "lmtp")
                self.assertIn("127.0.0.1", lmtp)
                self.assertTrue(set(lmtp) <= {"127.0.0.1", "::1"}, lmtp)
                client = smtplib.LMTP("127.0.0.1", server.lmtp_port)
                self.assertEqual(client.sendmail(
                    "x@localhost", ["alice@localhost"],
                    "Subject: hi\r\n\r\nhello\r\n"), {})
                client.quit()

    def test_lmtp_listen_names_other_addresses(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = LmtpElsewhere(tmp, tls=False,
                                   extra_flags=["--lmtp_listen=127.0.0.2"])
            if not server.has_plugin("lmtp"):
                self.skipTest("LMTP plugin not built")
            port = server.lmtp_port
            with server:
                self.assertEqual(listening(server.log(), "lmtp"),
                                 ["127.0.0.2"])
                server.add_user("alice", "secret")
                client = smtplib.LMTP("127.0.0.2", port)
                self.assertEqual(client.sendmail(
                    "x@localhost", ["alice@localhost"],
                    "Subject: hi\r\n\r\nhello\r\n"), {})
                client.quit()


if __name__ == "__main__":
    unittest.main()
