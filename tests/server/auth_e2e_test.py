"""Auth mechanisms of the host over the IMAP plugin: SASL PLAIN, LOGIN and
SCRAM-SHA-256 (RFC 5802/7677), LOGIN command, LOGINDISABLED without TLS,
wrong passwords."""

import base64
import hashlib
import hmac
import imaplib
import os
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd, ssl_context


class ScramClient:
    """The client side of SCRAM-SHA-256, for imaplib.authenticate()."""

    def __init__(self, user, password, gs2_header="n,,"):
        self.user = user
        self.password = password
        self.gs2 = gs2_header
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.step = 0
        self.server_signature = None
        self.verified = False

    def __call__(self, challenge):
        if self.step == 0:
            self.step = 1
            self.first_bare = "n=%s,r=%s" % (self.user, self.nonce)
            return (self.gs2 + self.first_bare).encode()
        if self.step == 1:
            self.step = 2
            server_first = challenge.decode()
            fields = dict(f.split("=", 1) for f in server_first.split(","))
            assert fields["r"].startswith(self.nonce)
            salt = base64.b64decode(fields["s"])
            salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(),
                                         salt, int(fields["i"]))
            client_key = hmac.digest(salted, b"Client Key", "sha256")
            stored_key = hashlib.sha256(client_key).digest()
            without_proof = "c=%s,r=%s" % (
                base64.b64encode(self.gs2.encode()).decode(), fields["r"])
            auth_message = ",".join(
                [self.first_bare, server_first, without_proof]).encode()
            signature = hmac.digest(stored_key, auth_message, "sha256")
            proof = bytes(a ^ b for a, b in zip(client_key, signature))
            server_key = hmac.digest(salted, b"Server Key", "sha256")
            self.server_signature = base64.b64encode(
                hmac.digest(server_key, auth_message, "sha256")).decode()
            return (without_proof + ",p=" +
                    base64.b64encode(proof).decode()).encode()
        # server-final: check the server knows the password too.
        self.verified = challenge.decode() == "v=" + self.server_signature
        return b""


class AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, allow_plaintext_auth=False,
                               plugins=("imap",))
        if not cls.server.has_plugin("imap"):
            raise unittest.SkipTest("IMAP plugin not built")
        cls.server.start()
        cls.server.add_user("alice", "correct horse")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def imaps(self):
        return imaplib.IMAP4_SSL("127.0.0.1", self.server.imaps_port,
                                 ssl_context=ssl_context(self.server.cert_file))

    def test_plaintext_login_is_disabled_without_tls(self):
        imap = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
        self.assertIn("LOGINDISABLED", imap.capabilities)
        self.assertNotIn("AUTH=PLAIN", imap.capabilities)
        self.assertIn("AUTH=SCRAM-SHA-256", imap.capabilities)
        with self.assertRaises(imaplib.IMAP4.error):
            imap.login("alice", "correct horse")
        imap.starttls(ssl_context=ssl_context(self.server.cert_file))
        self.assertIn("AUTH=PLAIN", imap.capabilities)
        self.assertEqual(imap.login("alice", "correct horse")[0], "OK")
        imap.logout()

    def test_sasl_plain_and_login_over_tls(self):
        imap = self.imaps()
        self.assertEqual(imap.authenticate(
            "PLAIN", lambda _: b"\0alice\0correct horse")[0], "OK")
        imap.logout()

        answers = {b"Username:": b"alice", b"Password:": b"correct horse"}
        imap = self.imaps()
        self.assertEqual(
            imap.authenticate("LOGIN", lambda c: answers[c])[0], "OK")
        imap.logout()

    def test_scram_sha_256_even_without_tls(self):
        for gs2 in ("n,,", "y,,", "n,a=alice,"):
            imap = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
            client = ScramClient("alice", "correct horse", gs2)
            self.assertEqual(imap.authenticate("SCRAM-SHA-256", client)[0],
                             "OK")
            self.assertTrue(client.verified)
            imap.logout()

    def test_password_change_takes_effect_at_once(self):
        # A verified login is remembered to spare the slow hash next time;
        # a new password must still end the old one's validity at once.
        self.server.add_user("carol", "first secret")
        for _ in range(2):
            imap = self.imaps()
            self.assertEqual(imap.login("carol", "first secret")[0], "OK")
            imap.logout()
        self.server.ctl("user", "passwd", "carol", "--password=second secret")
        imap = self.imaps()
        with self.assertRaises(imaplib.IMAP4.error):
            imap.login("carol", "first secret")
        imap.logout()
        imap = self.imaps()
        self.assertEqual(imap.login("carol", "second secret")[0], "OK")
        imap.logout()
        self.server.ctl("user", "del", "carol")
        imap = self.imaps()
        with self.assertRaises(imaplib.IMAP4.error):
            imap.login("carol", "second secret")
        imap.logout()

    def test_wrong_passwords_fail(self):
        imap = self.imaps()
        with self.assertRaises(imaplib.IMAP4.error):
            imap.authenticate("PLAIN", lambda _: b"\0alice\0wrong")
        with self.assertRaises(imaplib.IMAP4.error):
            imap.login("alice", "also wrong")
        imap.logout()
        imap = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
        with self.assertRaises(imaplib.IMAP4.error):
            imap.authenticate("SCRAM-SHA-256", ScramClient("alice", "bad"))
        with self.assertRaises(imaplib.IMAP4.error):
            imap.authenticate("SCRAM-SHA-256", ScramClient("nobody", "bad"))
        imap.logout()
        self.assertIn("authentication failed for 'alice'", self.server.log())


if __name__ == "__main__":
    unittest.main()
