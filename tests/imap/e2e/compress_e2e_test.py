"""COMPRESS=DEFLATE (RFC 4978), UNAUTHENTICATE (RFC 8437) and the IDLE
keepalive against a real mailroomd, with a raw client that speaks raw
DEFLATE through Python's zlib, over plain TCP and over TLS."""

import re
import unittest
import zlib

from tests.imap.e2e.e2e_base import ImapTestCase, PASSWORD
from tests.imap.e2e.imap_client import ImapClient, message, untagged


class DeflateClient(ImapClient):
    """ImapClient that can switch to raw DEFLATE after COMPRESS; counts the
    bytes that crossed the wire."""

    def __init__(self, *args, **kwargs):
        self.deflater = None
        self.inflater = None
        self.wire_in = 0
        self.wire_out = 0
        super().__init__(*args, **kwargs)

    def send_raw(self, data):
        self.wire_out += len(data)
        self.sock.sendall(data)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        if self.deflater is not None:
            data = (self.deflater.compress(data) +
                    self.deflater.flush(zlib.Z_SYNC_FLUSH))
        self.send_raw(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.wire_in += len(chunk)
        if self.inflater is not None:
            chunk = self.inflater.decompress(chunk)
        self.buf += chunk

    def compress(self):
        """COMPRESS DEFLATE; switches on an OK and returns the tagged line."""
        _, tagged = self.command("COMPRESS DEFLATE")
        if tagged.split(" ")[1] == "OK":
            # Nothing the server sent after its OK may be read plainly.
            assert self.buf == b"", self.buf
            self.deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            self.inflater = zlib.decompressobj(-15)
        return tagged


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class CompressTest(ImapTestCase):
    SERVER_ARGS = {
        "allow_plaintext_auth": True,
        "extra_flags": ["--plugin_options=imap.idle_keepalive_seconds=1"],
    }

    def client(self, tls=False):
        port = self.server.imaps_port if tls else self.server.imap_port
        c = DeflateClient(port, host=self.server.host, tls=tls)
        self.clients.append(c)
        return c

    def logged_in(self, tls=False, user=None):
        user = user or self.new_user()
        c = self.client(tls)
        lines = c.login(user, PASSWORD)
        return c, user, lines

    def full_session(self, tls):
        c, user, login_lines = self.logged_in(tls)
        # Offered after login only.
        self.assertNotIn("COMPRESS=DEFLATE", c.greeting)
        self.assertIn("COMPRESS=DEFLATE", login_lines[-1])
        self.assertIn("UNAUTHENTICATE", login_lines[-1])
        self.assertIn("OK", c.compress())
        self.assertNotIn("COMPRESS=DEFLATE",
                         c.ok("CAPABILITY")[0])
        # APPEND: a synchronizing literal ("+" comes back compressed) and a
        # non-synchronizing one.
        bodies = [message("first %d" % i, "line\r\n" * 200) for i in range(3)]
        self.assertIn("OK", c.append("INBOX", bodies[0]))
        data = bodies[1].encode()
        c.send(b"a1 APPEND INBOX (\\Seen) {%d+}\r\n" % len(data) + data +
               b"\r\n")
        self.assertIn("OK", c.collect("a1")[1])
        lines = c.ok("SELECT INBOX")
        self.assertIn("* 2 EXISTS", lines)
        for seq in (1, 2):
            lines = c.ok("FETCH %d BODY.PEEK[]" % seq)
            self.assertIn(bodies[seq - 1], lines[0])
        # IDLE: a delivery from another session arrives compressed, and the
        # keepalive too.
        tag = c.next_tag()
        c.send("%s IDLE\r\n" % tag)
        self.assertTrue(c.read_response_line().startswith("+"))
        other = self.client(tls)
        other.login(user, PASSWORD)
        self.assertIn("OK", other.append("INBOX", bodies[2]))
        seen = []
        while "* 3 EXISTS" not in seen:
            seen.append(c.read_response_line())
        seen.append(c.read_response_line())
        self.assertIn("* OK Still here", seen + [c.read_response_line()])
        c.send("DONE\r\n")
        self.assertIn("OK", c.collect(tag)[1])
        # A second COMPRESS is refused; the session goes on compressed.
        _, tagged = c.command("COMPRESS DEFLATE")
        self.assertIn("BAD [COMPRESSIONACTIVE]", tagged)
        c.ok("NOOP")
        lines = c.ok("LOGOUT")
        self.assertTrue(untagged(lines, "BYE"))
        self.assertLess(c.wire_in, sum(len(b) for b in bodies))
        self.assertIn("compression on: DEFLATE", self.server.log())

    def test_full_session_plain(self):
        self.full_session(tls=False)

    def test_full_session_tls(self):
        self.full_session(tls=True)

    def test_compressed_bytes_are_inside_tls(self):
        c, _, _ = self.logged_in(tls=True)
        self.assertIn("OK", c.compress())
        # The TLS layer carries the DEFLATE stream: a plain read of the
        # socket object gives decrypted but still compressed bytes.
        c.send("n1 NOOP\r\n")
        raw = c.sock.recv(65536)
        self.assertNotIn(b"n1 OK", raw)
        self.assertIn(b"n1 OK", c.inflater.decompress(raw))

    def test_unknown_algorithm_is_bad(self):
        c, _, _ = self.logged_in()
        _, tagged = c.command("COMPRESS LZW")
        self.assertIn("BAD", tagged)
        _, tagged = c.command("COMPRESS")
        self.assertIn("BAD", tagged)
        c.ok("NOOP")  # still plain

    def test_not_before_login(self):
        c = self.client()
        _, tagged = c.command("COMPRESS DEFLATE")
        self.assertIn("BAD", tagged)
        c.ok("NOOP")

    def test_bomb_hits_the_line_limit(self):
        c, _, _ = self.logged_in()
        self.assertIn("OK", c.compress())
        pid = self.server.pid
        before = rss_kib(pid)
        # 64 MiB of one byte without a line end: a few KiB on the wire.
        out_before = c.wire_out
        chunk = b"A" * (1 << 20)
        for _ in range(64):
            c.send_raw(c.deflater.compress(chunk))
        c.send_raw(c.deflater.compress(b"\r\n") +
                   c.deflater.flush(zlib.Z_SYNC_FLUSH))
        self.assertLess(c.wire_out - out_before, 200 * 1024)
        line = c.read_response_line()
        self.assertIn("BAD [TOOBIG]", line)
        c.ok("NOOP")  # the session survives
        # The daemon never held the 64 MiB.
        self.assertLess(rss_kib(pid) - before, 16 * 1024)

    def test_bomb_in_a_literal_hits_the_command_limit(self):
        c, _, _ = self.logged_in()
        self.assertIn("OK", c.compress())
        # A literal over max_command_bytes (1 MiB) is refused before a byte
        # of it is read; compressed or not makes no difference.
        _, tagged = c.command("SEARCH TEXT {4000000}")
        self.assertIn("BAD [TOOBIG]", tagged)
        c.ok("NOOP")

    def test_corrupt_stream_closes_only_that_connection(self):
        c, _, _ = self.logged_in()
        self.assertIn("OK", c.compress())
        c.send_raw(b"\xff\xff\xff\xff garbage \r\n")
        c.sock.settimeout(10)
        self.assertEqual(c.sock.recv(100), b"")
        self.assertIn("corrupt compressed input", self.server.log())
        # The daemon goes on.
        other, _, _ = self.logged_in()
        other.ok("NOOP")


class UnauthenticateTest(ImapTestCase):
    SERVER_ARGS = {"allow_plaintext_auth": True}

    def listed(self, user):
        who = self.server.ctl("who").stdout
        return re.search(r"^%s\s" % re.escape(user), who, re.M) is not None

    def run_unauthenticate(self, compress):
        alice, bob = self.new_user(), self.new_user()
        c = DeflateClient(self.server.imap_port, host=self.server.host)
        self.clients.append(c)
        c.login(alice, PASSWORD)
        if compress:
            self.assertIn("OK", c.compress())
        self.assertIn("OK", c.append("INBOX", message("for alice")))
        c.ok("SELECT INBOX")
        c.ok("STORE 1 +FLAGS (\\Deleted)")
        c.ok("ENABLE CONDSTORE")
        self.assertTrue(self.listed(alice))
        lines = c.ok("UNAUTHENTICATE")
        self.assertIn("AUTH=", lines[-1])  # pre-login capabilities
        self.assertFalse(self.listed(alice))
        _, tagged = c.command("SELECT INBOX")
        self.assertIn("BAD", tagged)
        c.login(bob, PASSWORD)
        self.assertTrue(self.listed(bob))
        self.assertFalse(self.listed(alice))
        # What alice ENABLEd ended with her login: enabling it again is news.
        self.assertIn("* ENABLED CONDSTORE", c.ok("ENABLE CONDSTORE"))
        lines = c.ok("SELECT INBOX")
        self.assertIn("* 0 EXISTS", lines)
        c.ok("UNAUTHENTICATE")
        # UNAUTHENTICATE closed alice's mailbox without expunging.
        c.login(alice, PASSWORD)
        lines = c.ok("SELECT INBOX")
        self.assertIn("* 1 EXISTS", lines)

    def test_switch_user(self):
        self.run_unauthenticate(compress=False)

    def test_switch_user_compressed(self):
        self.run_unauthenticate(compress=True)

    def test_not_before_login(self):
        c = DeflateClient(self.server.imap_port, host=self.server.host)
        self.clients.append(c)
        _, tagged = c.command("UNAUTHENTICATE")
        self.assertIn("BAD", tagged)
        self.assertNotIn("UNAUTHENTICATE", c.greeting)


if __name__ == "__main__":
    unittest.main()
