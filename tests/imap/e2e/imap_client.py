"""A small raw IMAP client for end-to-end tests.

imaplib hides response details (untagged order, response codes, literals)
that these tests need to check, so this client sends exact command text and
returns every response line, with literals kept inline.
"""

import re
import socket
import ssl

_LITERAL = re.compile(rb"\{(\d+)\}$")


class ImapClient:
    """One IMAP connection. Not thread-safe."""

    def __init__(self, port, host="127.0.0.1", tls=False, timeout=30):
        sock = socket.create_connection((host, port), timeout=timeout)
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.buf = b""
        self.counter = 0
        self.greeting = self.read_response_line()

    # ---- low level ----------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def read_line(self):
        """One CRLF-terminated line, without CRLF (bytes)."""
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response_line(self):
        """A response line with any literals it announces inlined."""
        line = self.read_line()
        while True:
            m = _LITERAL.search(line)
            if not m:
                return line.decode("utf-8", "replace")
            data = self.read_exactly(int(m.group(1)))
            line = line + b"\r\n" + data + self.read_line()

    def starttls(self):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(self.sock, server_hostname="127.0.0.1")

    # ---- commands -------------------------------------------------------------
    def next_tag(self):
        self.counter += 1
        return "t%d" % self.counter

    def command(self, text, tag=None):
        """Sends `tag text` and returns (all lines, tagged line)."""
        tag = tag or self.next_tag()
        self.send("%s %s\r\n" % (tag, text))
        return self.collect(tag)

    def collect(self, tag):
        lines = []
        while True:
            line = self.read_response_line()
            lines.append(line)
            if line.startswith(tag + " "):
                return lines, line

    def ok(self, text):
        lines, tagged = self.command(text)
        status = tagged.split(" ", 2)[1]
        if status != "OK":
            raise AssertionError("%s -> %s" % (text, tagged))
        return lines

    def login(self, user, password):
        return self.ok('LOGIN "%s" "%s"' % (user, password))

    def append(self, mailbox, message, flags=""):
        """APPEND with a synchronizing literal; returns the tagged line."""
        if isinstance(message, str):
            message = message.encode()
        tag = self.next_tag()
        flag_part = "(%s) " % flags if flags else ""
        self.send("%s APPEND %s %s{%d}\r\n" % (tag, mailbox, flag_part,
                                               len(message)))
        cont = self.read_response_line()
        if not cont.startswith("+"):
            return cont
        self.send(message + b"\r\n")
        return self.collect(tag)[1]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def subjects(client):
    """The Subject of every message in the selected mailbox, in order."""
    lines = client.ok("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    return [l.split("Subject: ")[1].split("\r\n")[0]
            for l in lines if "Subject: " in l]


def untagged(lines, prefix):
    """Untagged lines starting with `* prefix`."""
    return [l for l in lines if l.startswith("* " + prefix)]


def message(subject="Hello", body="Body text.\r\n", sender="bob@example.com",
            to="alice@example.com"):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\n"
            "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
            "Message-ID: <%s@example.com>\r\n\r\n%s" %
            (sender, to, subject, abs(hash(subject + body)), body))
