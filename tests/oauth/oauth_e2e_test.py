"""SASL OAUTHBEARER (RFC 7628) and XOAUTH2 against a real mailroomd: IMAP
AUTHENTICATE with and without SASL-IR, POP3 AUTH, the error challenge,
refusal without TLS, the failed-login throttle, key rotation, and curl as a
real client. Tokens are minted per run by tokens.TestIssuer."""

import base64
import imaplib
import json
import os
import socket
import ssl
import subprocess
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd, ssl_context
from tests.oauth.tokens import SigningKey, TestIssuer, oauthbearer, xoauth2

ISSUER = "https://idp.test"
AUDIENCE = "mailroom"
DISCOVERY = "https://idp.test/.well-known/openid-configuration"


class Client:
    """A line-level IMAP or POP3 client, optionally over TLS, from a chosen
    loopback source address (the throttle counts per address)."""

    def __init__(self, port, context=None, source="127.0.0.1"):
        sock = socket.create_connection(("127.0.0.1", port), 30,
                                        source_address=(source, 0))
        if context is not None:
            sock = context.wrap_socket(sock, server_hostname="localhost")
        self.sock = sock
        self.file = sock.makefile("rwb")
        self.greeting = self.line()
        self.tag = 0

    def line(self):
        data = self.file.readline()
        if not data:
            raise EOFError("connection closed")
        return data.decode().rstrip("\r\n")

    def send(self, text):
        self.file.write(text.encode() + b"\r\n")
        self.file.flush()

    def close(self):
        self.sock.close()

    # ---- IMAP ----
    def imap(self, command):
        """Sends a command; returns (untagged lines, tagged line) or, at a
        continuation request, ([...], "+ ...")."""
        self.tag += 1
        self.current = "A%d" % self.tag
        self.send("%s %s" % (self.current, command))
        return self.imap_reply()

    def imap_reply(self):
        untagged = []
        while True:
            line = self.line()
            if line.startswith("+"):
                return untagged, line
            if line.startswith(self.current + " "):
                return untagged, line[len(self.current) + 1:]
            untagged.append(line)

    def capabilities(self):
        untagged, _ = self.imap("CAPABILITY")
        return [l for l in untagged if l.startswith("* CAPABILITY")][0].split()


def b64(data):
    return base64.b64encode(data).decode()


def challenge_json(line):
    """The JSON of a "+ BASE64" continuation."""
    return json.loads(base64.b64decode(line[2:]))


class OAuthImapPop3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.issuer = TestIssuer(ISSUER, AUDIENCE)
        oauth_dir = cls.issuer.write_config(
            os.path.join(cls.tmp.name, "oauth.d"), discovery=DISCOVERY)
        cls.server = Mailroomd(
            cls.tmp.name, tls=True, allow_plaintext_auth=False,
            extra_flags=["--oauth_issuers=" + oauth_dir])
        cls.server.__enter__()
        cls.server.add_user("alice", "alice-password")
        cls.server.add_user("bob", "bob-password")
        cls.context = ssl_context(cls.server.cert_file)
        cls.next_source = 10

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)
        cls.tmp.cleanup()

    def source(self):
        """A fresh client address, so failures of one case do not slow or
        throttle another."""
        type(self).next_source += 1
        return "127.0.2.%d" % type(self).next_source

    def imaps(self, source="127.0.0.1"):
        return Client(self.server.imaps_port, self.context, source)

    def assert_logged_in(self, client):
        _, tagged = client.imap("SELECT INBOX")
        self.assertTrue(tagged.startswith("OK"), tagged)

    # ---- advertising and TLS --------------------------------------------
    def test_offered_over_tls_only(self):
        client = self.imaps()
        caps = client.capabilities()
        self.assertIn("AUTH=OAUTHBEARER", caps)
        self.assertIn("AUTH=XOAUTH2", caps)

        plain = Client(self.server.imap_port)
        caps = plain.capabilities()
        self.assertNotIn("AUTH=OAUTHBEARER", caps)
        self.assertNotIn("AUTH=XOAUTH2", caps)
        token = self.issuer.token("alice@example.com")
        for mechanism, message in (("OAUTHBEARER", oauthbearer(token)),
                                   ("XOAUTH2", xoauth2("alice", token))):
            _, tagged = plain.imap("AUTHENTICATE %s" % mechanism)
            self.assertTrue(tagged.startswith("NO [CANNOT]"), tagged)
            _, tagged = plain.imap("AUTHENTICATE %s %s" % (mechanism,
                                                            b64(message)))
            self.assertTrue(tagged.startswith("NO [CANNOT]"), tagged)
        _, tagged = plain.imap("SELECT INBOX")
        self.assertTrue(tagged.startswith("BAD") or tagged.startswith("NO"))

        pop = Client(self.server.pop3_port)
        pop.send("CAPA")
        lines = [pop.line()]
        while lines[-1] != ".":
            lines.append(pop.line())
        self.assertFalse(any("OAUTHBEARER" in l for l in lines), lines)
        pop.send("AUTH OAUTHBEARER " + b64(oauthbearer(token)))
        self.assertTrue(pop.line().startswith("-ERR"))

    # ---- IMAP -----------------------------------------------------------
    def test_oauthbearer_with_sasl_ir(self):
        client = self.imaps()
        token = self.issuer.token("Alice@Example.COM")
        _, tagged = client.imap("AUTHENTICATE OAUTHBEARER " +
                                b64(oauthbearer(token, authzid="alice")))
        self.assertTrue(tagged.startswith("OK"), tagged)
        self.assert_logged_in(client)
        who = self.server.ctl("who").stdout
        self.assertIn("alice", who)

    def test_oauthbearer_without_sasl_ir(self):
        imap = imaplib.IMAP4_SSL("127.0.0.1", self.server.imaps_port,
                                 ssl_context=self.context)
        token = self.issuer.token("bob@example.com")
        typ, _ = imap.authenticate("OAUTHBEARER",
                                   lambda _: oauthbearer(token))
        self.assertEqual(typ, "OK")
        typ, _ = imap.select("INBOX")
        self.assertEqual(typ, "OK")
        imap.logout()

    def test_xoauth2_with_and_without_sasl_ir(self):
        token = self.issuer.token("alice@example.com")
        client = self.imaps()
        _, tagged = client.imap("AUTHENTICATE XOAUTH2 " +
                                b64(xoauth2("alice@example.com", token)))
        self.assertTrue(tagged.startswith("OK"), tagged)
        self.assert_logged_in(client)

        imap = imaplib.IMAP4_SSL("127.0.0.1", self.server.imaps_port,
                                 ssl_context=self.context)
        typ, _ = imap.authenticate("XOAUTH2", lambda _: xoauth2("alice", token))
        self.assertEqual(typ, "OK")
        imap.logout()

    def test_oauthbearer_error_challenge_then_success(self):
        client = self.imaps(self.source())
        expired = self.issuer.token("alice@example.com",
                                    exp=1700000000, iat=1699999000)
        _, cont = client.imap("AUTHENTICATE OAUTHBEARER " +
                              b64(oauthbearer(expired)))
        self.assertTrue(cont.startswith("+ "), cont)
        self.assertEqual(challenge_json(cont), {
            "status": "invalid_token", "scope": "openid email",
            "openid-configuration": DISCOVERY})
        client.send(b64(b"\x01"))  # RFC 7628 §3.2.3's dummy response
        _, tagged = client.imap_reply()
        self.assertTrue(tagged.startswith("NO [AUTHENTICATIONFAILED]"), tagged)
        # The session goes on; a good token now logs in.
        _, tagged = client.imap("AUTHENTICATE OAUTHBEARER " + b64(
            oauthbearer(self.issuer.token("alice@example.com"))))
        self.assertTrue(tagged.startswith("OK"), tagged)

    def test_xoauth2_error_challenge(self):
        client = self.imaps(self.source())
        _, cont = client.imap("AUTHENTICATE XOAUTH2")
        self.assertEqual(cont.rstrip(), "+")
        wrong_audience = self.issuer.token("alice@example.com", aud="other")
        client.send(b64(xoauth2("alice", wrong_audience)))
        _, cont = client.imap_reply()
        self.assertTrue(cont.startswith("+ "), cont)
        self.assertEqual(challenge_json(cont), {
            "status": "401", "schemes": "Bearer", "scope": "openid email"})
        client.send("")
        _, tagged = client.imap_reply()
        self.assertTrue(tagged.startswith("NO [AUTHENTICATIONFAILED]"), tagged)

    def test_refused_tokens(self):
        other_key = SigningKey("key-1")  # same kid, key nobody published
        good = self.issuer.token
        unsigned = good("alice@example.com").rsplit(".", 2)
        none_header = base64.urlsafe_b64encode(
            b'{"alg":"none","kid":"key-1"}').rstrip(b"=").decode()
        cases = {
            "wrong issuer": oauthbearer(good("alice@example.com",
                                             iss="https://evil.test")),
            "wrong audience": oauthbearer(good("alice@example.com",
                                               aud="someone-else")),
            "wrong key": oauthbearer(good("alice@example.com",
                                          key=other_key)),
            "not yet valid": oauthbearer(good("alice@example.com",
                                              nbf=4102444800)),
            "alg none": oauthbearer(none_header + "." + unsigned[1] + ".AAAA"),
            "authzid not the token's": oauthbearer(good("alice@example.com"),
                                                   authzid="bob"),
            "no such account": oauthbearer(good("nobody@example.com")),
            "not a JWT": oauthbearer("opaque-token-123"),
        }
        for name, message in cases.items():
            with self.subTest(name):
                client = self.imaps(self.source())
                _, cont = client.imap("AUTHENTICATE OAUTHBEARER " +
                                      b64(message))
                self.assertTrue(cont.startswith("+ "), cont)
                self.assertEqual(challenge_json(cont)["status"],
                                 "invalid_token")
                client.send(b64(b"\x01"))
                _, tagged = client.imap_reply()
                self.assertTrue(
                    tagged.startswith("NO [AUTHENTICATIONFAILED]"), tagged)
                _, tagged = client.imap("SELECT INBOX")
                self.assertFalse(tagged.startswith("OK"), tagged)
        log = self.server.log()
        for message in cases.values():
            token = message.split(b"auth=Bearer ")[1].split(b"\x01")[0]
            self.assertNotIn(token.decode(), log)

    def test_malformed_message_is_refused_without_dropping(self):
        client = self.imaps(self.source())
        _, tagged = client.imap("AUTHENTICATE OAUTHBEARER " +
                                b64(b"n,,\x01auth=Basic YTpi\x01\x01"))
        self.assertTrue(tagged.startswith("NO [AUTHENTICATIONFAILED]"), tagged)
        self.assertIn("Malformed", tagged)
        _, tagged = client.imap("NOOP")
        self.assertTrue(tagged.startswith("OK"), tagged)

    # ---- POP3 -----------------------------------------------------------
    def test_pop3_auth(self):
        token = self.issuer.token("alice@example.com")
        pop = Client(self.server.pop3s_port, self.context)
        pop.send("CAPA")
        lines = [pop.line()]
        while lines[-1] != ".":
            lines.append(pop.line())
        sasl = [l for l in lines if l.startswith("SASL")][0].split()
        self.assertIn("OAUTHBEARER", sasl)
        self.assertIn("XOAUTH2", sasl)
        pop.send("AUTH OAUTHBEARER " + b64(oauthbearer(token, port=995)))
        self.assertTrue(pop.line().startswith("+OK"))
        pop.send("STAT")
        self.assertTrue(pop.line().startswith("+OK"))
        pop.send("QUIT")
        pop.line()

        pop = Client(self.server.pop3s_port, self.context)
        pop.send("AUTH XOAUTH2")
        self.assertEqual(pop.line().rstrip(), "+")
        pop.send(b64(xoauth2("bob", self.issuer.token("bob@example.com"))))
        self.assertTrue(pop.line().startswith("+OK"))

        pop = Client(self.server.pop3s_port, self.context, self.source())
        pop.send("AUTH OAUTHBEARER " + b64(oauthbearer(
            self.issuer.token("alice@example.com", aud="x"))))
        cont = pop.line()
        self.assertEqual(challenge_json(cont)["status"], "invalid_token")
        pop.send(b64(b"\x01"))
        self.assertTrue(pop.line().startswith("-ERR [AUTH]"))

    # ---- a real client --------------------------------------------------
    def curl(self, token, *options):
        port = self.server.imaps_port
        return subprocess.run(
            ["curl", "--silent", "--show-error", "--max-time", "30",
             "--cacert", self.server.cert_file,
             "--resolve", "localhost:%d:127.0.0.1" % port,
             "--user", "alice:", "--oauth2-bearer", token] + list(options) +
            ["imaps://localhost:%d/" % port],
            capture_output=True, text=True)

    def test_curl_oauth2_bearer(self):
        token = self.issuer.token("alice@example.com")
        for options in ([], ["--sasl-ir"], ["--login-options", "AUTH=XOAUTH2"],
                        ["--sasl-ir", "--login-options", "AUTH=XOAUTH2"]):
            with self.subTest(options=options):
                result = self.curl(token, *options)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn("INBOX", result.stdout)
        refused = self.curl(self.issuer.token("alice@example.com", aud="x"))
        self.assertEqual(refused.returncode, 67, refused.stderr)  # login denied


class OAuthThrottleAndRotationTest(unittest.TestCase):
    """A daemon of its own: the throttle's budget is 3 failures per address,
    and JWKS files are checked on every login."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.issuer = TestIssuer(ISSUER, AUDIENCE, alg="ES256")
        oauth_dir = self.issuer.write_config(
            os.path.join(self.tmp.name, "oauth.d"))
        self.server = Mailroomd(
            self.tmp.name, tls=True, allow_plaintext_auth=False,
            extra_flags=["--oauth_issuers=" + oauth_dir,
                         "--oauth_jwks_check_seconds=0",
                         "--auth_failures_per_address=3"])
        self.server.__enter__()
        self.server.add_user("alice", "alice-password")
        self.context = ssl_context(self.server.cert_file)

    def tearDown(self):
        self.server.__exit__(None, None, None)
        self.tmp.cleanup()

    def oauth_login(self, source, token):
        client = Client(self.server.imaps_port, self.context, source)
        _, reply = client.imap("AUTHENTICATE OAUTHBEARER " +
                               b64(oauthbearer(token)))
        if reply.startswith("+"):
            client.send(b64(b"\x01"))
            _, reply = client.imap_reply()
        client.close()
        return reply

    def password_login(self, source, password):
        client = Client(self.server.imaps_port, self.context, source)
        _, reply = client.imap("LOGIN alice " + password)
        client.close()
        return reply

    def test_bad_tokens_use_up_the_address_budget_like_bad_passwords(self):
        good = self.issuer.token("alice@example.com")
        bad = self.issuer.token("alice@example.com", aud="x")
        # Three refused tokens from one address...
        for _ in range(3):
            self.assertTrue(self.oauth_login("127.0.3.1", bad).startswith("NO"))
        # ...and that address is refused even the right password and a valid
        # token, answered like any failure.
        self.assertTrue(self.password_login(
            "127.0.3.1", "alice-password").startswith("NO [AUTHENTICATIONFAILED]"))
        self.assertTrue(self.oauth_login("127.0.3.1", good).startswith(
            "NO [AUTHENTICATIONFAILED]"))
        # Another address is not affected.
        self.assertTrue(self.oauth_login("127.0.3.2", good).startswith("OK"))

        # The other way round: wrong passwords use up the budget of tokens.
        for _ in range(3):
            self.assertTrue(
                self.password_login("127.0.3.3", "wrong").startswith("NO"))
        self.assertTrue(self.oauth_login("127.0.3.3", good).startswith("NO"))

        # A token that is not a JWT at all names no account: charged to the
        # address alone.
        for _ in range(3):
            self.assertTrue(
                self.oauth_login("127.0.3.4", "not-a-jwt").startswith("NO"))
        self.assertTrue(self.oauth_login("127.0.3.4", good).startswith("NO"))
        self.assertIn("too many recent failures", self.server.log())

    def test_key_rotation_without_restart(self):
        old_key = self.issuer.key
        new_key = SigningKey("key-2", "ES256")
        self.assertTrue(self.oauth_login(
            "127.0.4.1", self.issuer.token("alice@example.com")).startswith("OK"))
        self.assertTrue(self.oauth_login("127.0.4.2", self.issuer.token(
            "alice@example.com", key=new_key)).startswith("NO"))
        self.issuer.publish(new_key)
        self.assertTrue(self.oauth_login("127.0.4.3", self.issuer.token(
            "alice@example.com", key=new_key)).startswith("OK"))
        self.assertTrue(self.oauth_login("127.0.4.4", self.issuer.token(
            "alice@example.com", key=old_key)).startswith("NO"))


if __name__ == "__main__":
    unittest.main()
