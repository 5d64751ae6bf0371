"""What a client sends reaches the log escaped: a user name carrying CR, LF
or other control characters cannot start a log line of its own."""

import socket
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd

FORGED = "FAKE LINE mailroomd ready"


def read_line(sock_file):
    return sock_file.readline().decode("latin-1")


class LogInjectionTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.server = Mailroomd(self._tmp.name, tls=False)
        for name in ("imap", "pop3", "lmtp"):
            if not self.server.has_plugin(name):
                self.skipTest(name + " plugin not built")
        self.server.start()
        self.server.add_user("alice", "secret")

    def tearDown(self):
        self.server.stop()
        self._tmp.cleanup()

    def connect(self, port):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        return sock, sock.makefile("rb")

    def assert_no_forged_line(self, escaped):
        log = self.server.log()
        for line in log.split("\n"):
            self.assertFalse(line.startswith(FORGED), repr(line))
        # Only the logger's own line ends; no CR or other controls at all.
        for c in log:
            self.assertTrue(c == "\n" or ord(c) >= 0x20, repr(c))
        self.assertIn(escaped, log)

    def test_imap_login_literal(self):
        sock, f = self.connect(self.server.imap_port)
        read_line(f)  # greeting
        user = ("bob\r\n" + FORGED).encode()
        sock.sendall(b"a1 LOGIN {%d}\r\n" % len(user))
        self.assertTrue(read_line(f).startswith("+"))
        sock.sendall(user + b" wrong\r\n")
        self.assertIn("a1 NO", read_line(f))
        # The ID command's values are logged too.
        value = ("x\r\n" + FORGED + "\x1b[2J").encode()
        sock.sendall(b'a2 ID ("name" {%d}\r\n' % len(value))
        self.assertTrue(read_line(f).startswith("+"))
        sock.sendall(value + b")\r\n")
        while not read_line(f).startswith("a2 "):
            pass
        sock.close()
        self.assert_no_forged_line("bob\\r\\n" + FORGED)
        self.assert_no_forged_line("x\\r\\n" + FORGED + "\\x1b[2J")

    def test_pop3_user(self):
        sock, f = self.connect(self.server.pop3_port)
        read_line(f)
        # CR LF ends a POP3 command: a bare CR and other controls ride along.
        sock.sendall(("USER bob\r" + FORGED + "\x07\r\n").encode())
        read_line(f)
        sock.sendall(b"PASS wrong\r\n")
        self.assertTrue(read_line(f).startswith("-ERR"))
        sock.sendall(b"QUIT\r\n")
        read_line(f)
        sock.close()
        self.assert_no_forged_line("bob\\r" + FORGED + "\\x07")

    def test_lmtp_rcpt(self):
        sock, f = self.connect(self.server.lmtp_port)
        read_line(f)
        sock.sendall(b"LHLO client\r\n")
        while not read_line(f).startswith("250 "):
            pass
        sock.sendall(b"MAIL FROM:<x@localhost>\r\n")
        read_line(f)
        sock.sendall(("RCPT TO:<bob\r" + FORGED + "@localhost>\r\n").encode())
        read_line(f)
        sock.sendall(("RCPT TO:<alice\x1b]0;" + FORGED +
                      "\x07@localhost>\r\n").encode())
        read_line(f)
        sock.sendall(b"QUIT\r\n")
        read_line(f)
        sock.close()
        log = self.server.log()
        for line in log.split("\n"):
            self.assertFalse(line.startswith(FORGED), repr(line))
        for c in log:
            self.assertTrue(c == "\n" or ord(c) >= 0x20, repr(c))


if __name__ == "__main__":
    unittest.main()
