"""A raw IMAP client and response parser for the helpdesk tests.

The tests check untagged responses one by one (order, response codes,
sequence numbers), which imaplib hides, so this client sends exact command
text and hands back every response line with literals kept inline.
"""

import re
import socket

_LITERAL = re.compile(rb"\{(\d+)\+?\}$")
_TAGGED = re.compile(r"^(\S+) (OK|NO|BAD)\b ?(.*)$")


class ImapError(AssertionError):
    pass


class Connection:
    """One IMAP connection. Not thread-safe: one thread drives it.

    `listener`, when set, is called with every untagged line as it is read,
    so a caller can keep a mailbox model from untagged responses alone.
    """

    def __init__(self, port, host="127.0.0.1", timeout=60):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.counter = 0
        self.listener = None
        self.greeting = self.read_response()

    # ---- reading ---------------------------------------------------------
    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def read_response(self):
        """One response (str) with any literals inlined. Nothing is consumed
        until the whole response arrived, so a socket timeout can be retried."""
        pos = 0
        while True:
            end = self.buf.find(b"\r\n", pos)
            if end < 0:
                self._fill()
                continue
            m = _LITERAL.search(self.buf[pos:end])
            if not m:
                line, self.buf = self.buf[:end], self.buf[end + 2:]
                return line.decode("utf-8", "replace")
            need = end + 2 + int(m.group(1))
            while len(self.buf) < need:
                self._fill()
            pos = need

    # ---- commands ----------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def next_tag(self):
        self.counter += 1
        return "h%d" % self.counter

    def collect(self, tag):
        """Reads up to the tagged line: (untagged lines, tagged line)."""
        lines = []
        while True:
            line = self.read_response()
            if line.startswith(tag + " "):
                return lines, line
            lines.append(line)
            if self.listener and line.startswith("* "):
                self.listener(line)

    def command(self, text):
        tag = self.next_tag()
        self.send("%s %s\r\n" % (tag, text))
        return self.collect(tag)

    def ok(self, text):
        lines, tagged = self.command(text)
        if status_of(tagged) != "OK":
            raise ImapError("%s -> %s" % (text, tagged))
        return lines

    def login(self, user, password):
        return self.ok('LOGIN "%s" "%s"' % (user, password))

    def append(self, mailbox, message, flags=""):
        """APPEND with a synchronizing literal: (untagged, tagged line)."""
        if isinstance(message, str):
            message = message.encode()
        tag = self.next_tag()
        flag_part = "(%s) " % flags if flags else ""
        self.send("%s APPEND %s %s{%d}\r\n" % (tag, quote(mailbox), flag_part,
                                               len(message)))
        cont = self.read_response()
        if not cont.startswith("+"):
            return [], cont
        self.send(message + b"\r\n")
        return self.collect(tag)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def quote(name):
    return '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')


def status_of(tagged):
    """"OK", "NO" or "BAD" of a tagged line."""
    m = _TAGGED.match(tagged)
    return m.group(2) if m else None


def text_of(tagged):
    """A tagged line without its tag: what to compare between commands."""
    return tagged.split(" ", 1)[1]


def message(subject, body="Body.\r\n", sender="customer@example.com"):
    return ("From: %s\r\nTo: help@example.com\r\nSubject: %s\r\n"
            "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
            "Message-ID: <%s@example.com>\r\n\r\n%s" %
            (sender, subject, re.sub(r"\W", "", subject) or "x", body))


# ---- response parsing ------------------------------------------------------

_TOKEN = re.compile(r'\s*(\(|\)|"(?:[^"\\]|\\.)*"|\{\d+\}\r\n|[^\s()"]+)')


def parse_list(text):
    """Parses an IMAP parenthesized list into nested Python lists of str.
    Literals must already be inlined as {n}CRLF<data>."""
    pos = 0
    stack = [[]]
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            break
        tok = m.group(1)
        pos = m.end()
        if tok == "(":
            stack.append([])
        elif tok == ")":
            done = stack.pop()
            stack[-1].append(done)
        elif tok.startswith('"'):
            stack[-1].append(re.sub(r"\\(.)", r"\1", tok[1:-1]))
        elif tok.startswith("{"):
            n = int(tok[1:tok.index("}")])
            stack[-1].append(text[pos:pos + n])
            pos += n
        else:
            stack[-1].append(tok)
    return stack[0]


_FETCH = re.compile(r"^\* (\d+) FETCH (.*)$", re.S)


def parse_fetch(line):
    """`* n FETCH (...)` -> (n, {item: value}) with UID and MODSEQ as int
    and FLAGS as a frozenset; None for other lines."""
    m = _FETCH.match(line)
    if not m:
        return None
    items = parse_list(m.group(2))[0]
    out = {}
    for i in range(0, len(items) - 1, 2):
        key = items[i].upper()
        value = items[i + 1]
        if key == "UID":
            value = int(value)
        elif key == "MODSEQ":
            value = int(value[0])
        elif key == "FLAGS":
            value = frozenset(value)
        out[key] = value
    return int(m.group(1)), out


def parse_uid_set(text):
    """"1:3,7" -> [1, 2, 3, 7]."""
    out = []
    for part in text.split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            out.extend(range(min(a, b), max(a, b) + 1))
        else:
            out.append(int(part))
    return out


def uid_set(uids):
    """[1, 2, 3, 7] -> "1:3,7" (sorted, compact)."""
    uids = sorted(set(uids))
    parts = []
    i = 0
    while i < len(uids):
        j = i
        while j + 1 < len(uids) and uids[j + 1] == uids[j] + 1:
            j += 1
        parts.append(str(uids[i]) if i == j else "%d:%d" % (uids[i], uids[j]))
        i = j + 1
    return ",".join(parts)


def response_code(tagged):
    """The bracketed response code of a tagged line ("NOPERM", "MODIFIED 3")
    or None."""
    m = re.search(r"\[([^\]]*)\]", tagged)
    return m.group(1) if m else None


def fetch_all_flags(conn):
    """Full sync of the selected mailbox: [(uid, flags)] in sequence order."""
    out = []
    for line in conn.ok("UID FETCH 1:* (FLAGS)"):
        parsed = parse_fetch(line)
        if parsed:
            out.append((parsed[1]["UID"], parsed[1]["FLAGS"]))
    return sorted(out)
