"""IMAP end to end: greeting, capabilities, authentication, limits, errors,
pipelining, TLS (IMAPS and STARTTLS), LOGINDISABLED, curl."""

import base64
import imaplib
import re
import shutil
import socket
import subprocess
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd
from tests.imap.e2e import e2e_base
from tests.imap.e2e.e2e_base import PASSWORD
from tests.imap.e2e.imap_client import ImapClient, message, untagged


class SessionTest(e2e_base.ImapTestCase):

    def test_greeting_and_capabilities(self):
        c = self.connect()
        self.assertTrue(c.greeting.startswith("* OK [CAPABILITY IMAP4rev1"))
        lines = c.ok("CAPABILITY")
        caps = untagged(lines, "CAPABILITY")[0].split()
        for cap in ["IMAP4rev2", "LITERAL-", "SASL-IR", "IDLE", "UIDPLUS",
                    "MOVE", "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES",
                    "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "BINARY",
                    "MULTIAPPEND", "NAMESPACE", "ID", "ENABLE", "ACL",
                    "QUOTA", "UTF8=ACCEPT", "STATUS=SIZE", "WITHIN"]:
            self.assertIn(cap, caps)
        self.assertTrue(any(c.startswith("APPENDLIMIT=") for c in caps))
        self.assertNotIn("LITERAL+", caps)
        c.login(self.new_user(), PASSWORD)
        caps = untagged(c.ok("CAPABILITY"), "CAPABILITY")[0].split()
        self.assertIn("LITERAL+", caps)
        self.assertNotIn("LITERAL-", caps)

    def test_imaplib_login_select_logout(self):
        user = self.new_user()
        m = imaplib.IMAP4(self.server.host, self.server.imap_port)
        m.login(user, PASSWORD)
        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK")
        self.assertEqual(data, [b"0"])
        self.assertEqual(m.logout()[0], "BYE")

    def test_wrong_password(self):
        user = self.new_user()
        c = self.connect()
        _, tagged = c.command('LOGIN %s "wrong"' % user)
        self.assertIn("NO [AUTHENTICATIONFAILED]", tagged)
        _, tagged = c.command("SELECT INBOX")
        self.assertIn("BAD", tagged)
        m = imaplib.IMAP4(self.server.host, self.server.imap_port)
        with self.assertRaises(imaplib.IMAP4.error):
            m.login("nobody-here", "x")

    def test_authenticate_plain_with_initial_response_and_cancel(self):
        user = self.new_user()
        c = self.connect()
        c.send("a1 AUTHENTICATE PLAIN\r\n")
        self.assertTrue(c.read_response_line().startswith("+"))
        c.send("*\r\n")
        self.assertIn("a1 BAD", c.collect("a1")[1])
        ir = base64.b64encode(("\0%s\0%s" % (user, PASSWORD)).encode())
        _, tagged = c.command("AUTHENTICATE PLAIN " + ir.decode())
        self.assertIn("OK [CAPABILITY", tagged)

    def test_unknown_command_bad_syntax_and_state(self):
        c, _ = self.session()
        self.assertIn("BAD", c.command("FROBNICATE")[1])
        self.assertIn("BAD", c.command("FETCH 1 FLAGS")[1])  # not selected
        self.assertIn("BAD", c.command('SELECT "unterminated')[1])
        c.ok("NOOP")

    def test_line_too_long_then_continue(self):
        c, _ = self.session()
        c.send("t1 NOOP " + "x" * (200 * 1024) + "\r\n")
        line = c.read_response_line()
        self.assertIn("BAD", line)
        self.assertIn("long", line)
        c.ok("NOOP")

    def test_oversized_literal_refused(self):
        c, _ = self.session()
        caps = untagged(c.ok("CAPABILITY"), "CAPABILITY")[0]
        limit = int(re.search(r"APPENDLIMIT=(\d+)", caps).group(1))
        c.send("t9 APPEND INBOX {%d}\r\n" % (limit + 1))
        line = c.read_response_line()
        self.assertTrue(line.startswith("t9 NO [TOOBIG]"), line)
        lines = c.ok("STATUS INBOX (MESSAGES)")
        self.assertEqual(untagged(lines, "STATUS")[0],
                         "* STATUS INBOX (MESSAGES 0)")

    def test_pipelined_commands_answer_in_order(self):
        c, _ = self.session()
        c.send("p1 NOOP\r\np2 SELECT INBOX\r\np3 STATUS INBOX (UIDNEXT)\r\n"
               "p4 NOOP\r\n")
        tags = []
        while len(tags) < 4:
            line = c.read_response_line()
            if not line.startswith("*"):
                tags.append(line.split()[0])
        self.assertEqual(tags, ["p1", "p2", "p3", "p4"])

    def test_drop_mid_append_leaves_nothing(self):
        c, user = self.session()
        c.send("a1 APPEND INBOX {1000}\r\n")
        self.assertTrue(c.read_response_line().startswith("+"))
        c.send(b"Subject: half\r\n\r\n" + b"x" * 100)
        c.sock.shutdown(socket.SHUT_RDWR)
        c.close()
        d, _ = self.session(user)
        lines = d.ok("STATUS INBOX (MESSAGES)")
        self.assertEqual(untagged(lines, "STATUS")[0],
                         "* STATUS INBOX (MESSAGES 0)")

    def test_imaps(self):
        user = self.new_user()
        c = self.connect(tls=True)
        self.assertTrue(c.greeting.startswith("* OK"))
        self.assertNotIn("STARTTLS", c.greeting)
        c.login(user, PASSWORD)
        c.ok("SELECT INBOX")
        m = imaplib.IMAP4_SSL(self.server.host, self.server.imaps_port,
                              ssl_context=_insecure_context())
        m.login(user, PASSWORD)
        m.logout()

    def test_starttls(self):
        user = self.new_user()
        c = self.connect()
        self.assertIn("STARTTLS", c.greeting)
        c.ok("STARTTLS")
        c.starttls()
        caps = untagged(c.ok("CAPABILITY"), "CAPABILITY")[0]
        self.assertNotIn("STARTTLS", caps)
        c.login(user, PASSWORD)
        self.assertIn("BAD", c.command("STARTTLS")[1])

    def test_curl_reads_a_message(self):
        curl = shutil.which("curl")
        if not curl:
            self.skipTest("curl not installed")
        c, user = self.session()
        body = "curl can read this\r\n"
        c.append("INBOX", message("Via curl", body))
        url = "imap://%s:%d/INBOX;UID=1" % (self.server.host,
                                            self.server.imap_port)
        out = subprocess.run([curl, "-s", "--url", url, "-u",
                              "%s:%s" % (user, PASSWORD)],
                             capture_output=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(b"Subject: Via curl", out.stdout)
        self.assertIn(body.encode(), out.stdout)


class PlaintextPolicyTest(e2e_base.ImapTestCase):
    SERVER_ARGS = {"allow_plaintext_auth": False}

    def test_login_disabled_until_tls(self):
        user = self.new_user()
        c = self.connect()
        self.assertIn("LOGINDISABLED", c.greeting)
        _, tagged = c.command('LOGIN %s "%s"' % (user, PASSWORD))
        self.assertTrue(tagged.split()[1] == "NO", tagged)
        c.ok("STARTTLS")
        c.starttls()
        caps = untagged(c.ok("CAPABILITY"), "CAPABILITY")[0]
        self.assertNotIn("LOGINDISABLED", caps)
        c.login(user, PASSWORD)
        c.ok("SELECT INBOX")


class TimeoutTest(e2e_base.ImapTestCase):
    SERVER_ARGS = {"allow_plaintext_auth": True,
                   "extra_flags": ["--unauthenticated_timeout_seconds=1"]}

    def test_unauthenticated_timeout_says_bye(self):
        c = self.connect()
        line = c.read_response_line()
        self.assertTrue(line.startswith("* BYE"), line)


class ShutdownTest(unittest.TestCase):

    def test_idle_session_gets_bye_on_shutdown(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = Mailroomd(tmp, tls=False, plugins=("imap",))
            with server:
                server.add_user("idler", PASSWORD)
                c = ImapClient(server.imap_port)
                c.login("idler", PASSWORD)
                c.ok("SELECT INBOX")
                c.send("i1 IDLE\r\n")
                self.assertTrue(c.read_response_line().startswith("+"))
                server.stop()
                lines = []
                try:
                    while True:
                        lines.append(c.read_response_line())
                except (ConnectionError, OSError):
                    pass
                c.close()
                self.assertTrue(any(l.startswith("* BYE") for l in lines),
                                lines)


def _insecure_context():
    import ssl
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


if __name__ == "__main__":
    unittest.main()
