"""ManageSieve end to end: a Python client over a real mailroomd with the
managesieve plugin and the store's Sieve scripts."""

import os
import socket
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd, ssl_context
from tests.managesieve.managesieve_client import Client, Literal

SCRIPT = (b'require ["fileinto"];\r\n'
          b'if header :contains "subject" "[list]" {\r\n'
          b'  fileinto "Lists";\r\n'
          b'}\r\n')


class ManageSieveE2eTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, plugins=("managesieve",),
                               allow_plaintext_auth=False)
        cls.server.start()
        cls.server.add_user("alice", "secret")
        cls.server.add_user("bob", "hunter2")
        cls.tls = ssl_context(cls.server.cert_file)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def connect(self):
        c = Client(self.server.managesieve_port)
        self.addCleanup(c.close)
        return c

    def login(self, user="alice", password="secret"):
        c = self.connect()
        r = c.starttls(self.tls)
        self.assertEqual(r.status, "OK", r)
        r = c.authenticate_plain(user, password)
        self.assertEqual(r.status, "OK", r)
        return c

    def test_greeting_starttls_and_plain(self):
        c = self.connect()
        caps = c.capabilities()
        self.assertEqual(c.greeting.status, "OK")
        self.assertEqual(caps["IMPLEMENTATION"], "Mailroom")
        self.assertEqual(caps["VERSION"], "1.0")
        self.assertIn("STARTTLS", caps)
        self.assertIn("UNAUTHENTICATE", caps)
        self.assertEqual(caps["MAXREDIRECTS"], "4")
        self.assertIn("fileinto", caps["SIEVE"].split())
        self.assertIn("vacation", caps["SIEVE"].split())
        self.assertNotIn("OWNER", caps)
        self.assertNotIn("PLAIN", caps["SASL"].split())
        # Plaintext before TLS: refused, and TLS would help.
        r = c.authenticate_plain("alice", "secret")
        self.assertEqual((r.status, r.code), ("NO", "ENCRYPT-NEEDED"))
        r = c.starttls(self.tls)
        self.assertEqual(r.status, "OK")
        caps = c.capabilities(r)
        self.assertNotIn("STARTTLS", caps)
        self.assertIn("PLAIN", caps["SASL"].split())
        r = c.authenticate_plain("alice", "wrong")
        self.assertEqual(r.status, "NO")
        # PLAIN without an initial response: an empty challenge first.
        r = c.authenticate_plain("alice", "secret", initial=False)
        self.assertEqual(r.status, "OK", r)
        r = c.command("CAPABILITY")
        self.assertEqual(c.capabilities(r)["OWNER"], "alice")
        r = c.command("LOGOUT")
        self.assertEqual(r.status, "OK")

    def test_command_split_over_tls_records(self):
        # A literal, and the line end after it, each in a TLS record of its
        # own that reach the server in one read: the second record must be
        # seen although the socket does not become readable again.
        c = self.login()
        c.sock.settimeout(10)
        for _ in range(20):
            for piece in (b"CHECKSCRIPT {6+}\r\n", b"keep;\n", b"\r\n"):
                c.sock.send(piece)
            r = c.read_response()
            self.assertEqual(r.status, "OK", r)

    def test_scram_without_tls(self):
        c = self.connect()
        self.assertIn("SCRAM-SHA-256", c.capabilities()["SASL"].split())
        r, proved = c.authenticate_scram("alice", "wrong")
        self.assertEqual(r.status, "NO")
        r, proved = c.authenticate_scram("alice", "secret")
        self.assertEqual(r.status, "OK", r)
        self.assertTrue(proved)
        r = c.command("CAPABILITY")
        self.assertEqual(c.capabilities(r)["OWNER"], "alice")

    def test_noop_tag_and_bad_input(self):
        c = self.connect()
        r = c.command("NOOP", "sync-1")
        self.assertEqual((r.status, r.code), ("OK", 'TAG "sync-1"'))
        c.send(b"FROBNICATE\r\n")
        self.assertEqual(c.read_response().status, "NO")
        c.send(b"LISTSCRIPTS\r\n")  # not before login
        self.assertEqual(c.read_response().status, "NO")
        c.send(b'NOOP "unterminated\r\n')
        self.assertEqual(c.read_response().status, "NO")
        c.send(b"NOOP " + b"x" * 100000 + b"\r\n")
        self.assertEqual(c.read_response().text, "Line too long")
        r = c.command("NOOP")
        self.assertEqual(r.status, "OK")

    def test_script_lifecycle(self):
        c = self.login()
        self.assertEqual(c.command("LISTSCRIPTS").lines, [])
        r = c.command("HAVESPACE", "rules", len(SCRIPT))
        self.assertEqual(r.status, "OK", r)
        r = c.command("PUTSCRIPT", "rules", Literal(SCRIPT))
        self.assertEqual(r.status, "OK", r)
        r = c.command("PUTSCRIPT", "plain", Literal(b"keep;\r\n", False))
        self.assertEqual(r.status, "OK", r)
        r = c.command("PUTSCRIPT", "quoted", "discard;")
        self.assertEqual(r.status, "OK", r)
        r = c.command("SETACTIVE", "rules")
        self.assertEqual(r.status, "OK", r)
        r = c.command("LISTSCRIPTS")
        self.assertEqual(r.lines, [[b"plain"], [b"quoted"], [b"rules", b"ACTIVE"]])
        r = c.command("GETSCRIPT", "rules")
        self.assertEqual((r.status, r.lines), ("OK", [[SCRIPT]]))
        r = c.command("DELETESCRIPT", "rules")
        self.assertEqual((r.status, r.code), ("NO", "ACTIVE"))
        r = c.command("RENAMESCRIPT", "rules", "plain")
        self.assertEqual((r.status, r.code), ("NO", "ALREADYEXISTS"))
        r = c.command("RENAMESCRIPT", "missing", "x")
        self.assertEqual((r.status, r.code), ("NO", "NONEXISTENT"))
        r = c.command("RENAMESCRIPT", "rules", "filters")
        self.assertEqual(r.status, "OK", r)
        r = c.command("LISTSCRIPTS")
        self.assertIn([b"filters", b"ACTIVE"], r.lines)
        for missing in (("GETSCRIPT", "rules"), ("SETACTIVE", "rules"),
                        ("DELETESCRIPT", "rules")):
            r = c.command(*missing)
            self.assertEqual((r.status, r.code), ("NO", "NONEXISTENT"), missing)
        r = c.command("SETACTIVE", "")
        self.assertEqual(r.status, "OK", r)
        self.assertNotIn(b"ACTIVE", sum(c.command("LISTSCRIPTS").lines, []))
        for name in ("filters", "plain", "quoted"):
            self.assertEqual(c.command("DELETESCRIPT", name).status, "OK")
        self.assertEqual(c.command("LISTSCRIPTS").lines, [])

    def test_compile_errors_and_checkscript(self):
        c = self.login()
        bad = b'require "fileinto";\r\nif true {\r\n  frobnicate;\r\n}\r\n'
        r = c.command("PUTSCRIPT", "bad", Literal(bad))
        self.assertEqual(r.status, "NO")
        self.assertRegex(r.text, r"^3:3: ")
        r = c.command("CHECKSCRIPT", Literal(bad))
        self.assertEqual(r.status, "NO")
        self.assertRegex(r.text, r"^3:3: ")
        r = c.command("CHECKSCRIPT", Literal(SCRIPT))
        self.assertEqual(r.status, "OK", r)
        self.assertNotIn([b"bad"], c.command("LISTSCRIPTS").lines)

    def test_quota_codes(self):
        c = self.login("bob", "hunter2")
        big = b"#" * (64 * 1024) + b"\r\nkeep;\r\n"
        r = c.command("HAVESPACE", "big", len(big))
        self.assertEqual((r.status, r.code), ("NO", "QUOTA/MAXSIZE"))
        r = c.command("PUTSCRIPT", "big", Literal(big))
        self.assertEqual((r.status, r.code), ("NO", "QUOTA/MAXSIZE"))
        # Past what the server reads at all: skipped unread, session kept.
        huge = b"#" * (2 << 20)
        r = c.command("PUTSCRIPT", "huge", Literal(huge))
        self.assertEqual((r.status, r.code), ("NO", "QUOTA/MAXSIZE"))
        for i in range(20):
            r = c.command("PUTSCRIPT", "s%02d" % i, "keep;")
            self.assertEqual(r.status, "OK", (i, r))
        r = c.command("PUTSCRIPT", "one-more", "keep;")
        self.assertEqual((r.status, r.code), ("NO", "QUOTA/MAXSCRIPTS"))
        r = c.command("HAVESPACE", "one-more", 10)
        self.assertEqual((r.status, r.code), ("NO", "QUOTA/MAXSCRIPTS"))
        # Replacing an existing script needs no new slot.
        r = c.command("PUTSCRIPT", "s00", "discard;")
        self.assertEqual(r.status, "OK", r)
        for i in range(20):
            self.assertEqual(c.command("DELETESCRIPT", "s%02d" % i).status, "OK")

    def test_users_see_only_their_scripts(self):
        alice = self.login()
        self.assertEqual(alice.command("PUTSCRIPT", "private", "keep;").status,
                         "OK")
        bob = self.login("bob", "hunter2")
        self.assertNotIn([b"private"], bob.command("LISTSCRIPTS").lines)
        r = bob.command("GETSCRIPT", "private")
        self.assertEqual((r.status, r.code), ("NO", "NONEXISTENT"))
        self.assertEqual(alice.command("DELETESCRIPT", "private").status, "OK")

    def test_unauthenticate(self):
        c = self.login()
        r = c.command("UNAUTHENTICATE")
        self.assertEqual(r.status, "OK", r)
        self.assertEqual(c.command("LISTSCRIPTS").status, "NO")
        r = c.authenticate_plain("bob", "hunter2")
        self.assertEqual(r.status, "OK", r)
        r = c.command("CAPABILITY")
        self.assertEqual(c.capabilities(r)["OWNER"], "bob")

    def test_bad_script_names(self):
        c = self.login()
        for name in ("", "a/b", "tab\there", "x" * 200):
            r = c.command("PUTSCRIPT", name, "keep;")
            self.assertEqual(r.status, "NO", name)
        self.assertEqual(c.command("NOOP").status, "OK")


if __name__ == "__main__":
    unittest.main()
