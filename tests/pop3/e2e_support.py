"""Helpers shared by the POP3 and LMTP end-to-end tests.

They drive a real mailroomd (tests/harness/mailroomd.py) on 127.0.0.1 with
the standard library's poplib, smtplib and imaplib only.
"""
import base64
import hashlib
import hmac
import imaplib
import os
import poplib
import re
import shutil
import socket
import tempfile

from tests.harness.mailroomd import Mailroomd, ssl_context

DOMAIN = "localhost"


class Server:
    """One mailroomd (tests/harness) in a fresh directory under /tmp.

    /tmp rather than the test's own temporary directory: the LMTP UNIX
    socket path must stay short, and an unprivileged peer (Postfix's lmtp
    client) must be able to reach it.
    """

    def __init__(self, allow_plaintext_auth=True, extra_flags=(), tls=True):
        self.dir = tempfile.mkdtemp(prefix="mr-e2e-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.daemon = Mailroomd(self.dir, tls=tls,
                                allow_plaintext_auth=allow_plaintext_auth,
                                extra_flags=list(extra_flags))
        self.host = "127.0.0.1"

    def __enter__(self):
        self.daemon.__enter__()
        return self

    def __exit__(self, *exc):
        try:
            self.daemon.__exit__(*exc)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def __getattr__(self, name):
        return getattr(self.daemon, name)

    def create_user(self, name, password):
        self.daemon.add_user(name, password)

    def set_quota(self, user, storage_bytes):
        self.daemon.ctl("quota", "set", user,
                        "--storage_bytes=%d" % storage_bytes)

    def kill(self):
        self.daemon.kill9()

    def restart(self):
        self.daemon.restart()

    def tls_context(self):
        return ssl_context(self.daemon.cert_file)


def message(subject, body="hello\r\n", extra_headers=""):
    """A small RFC 5322 message with CRLF line ends."""
    return ("From: sender@example.org\r\nTo: rcpt@%s\r\nSubject: %s\r\n"
            "Message-ID: <%s@test>\r\n%s\r\n%s"
            % (DOMAIN, subject, os.urandom(8).hex(), extra_headers, body))


def deliver(server, rcpts, data, sender="sender@example.org"):
    """Delivers over LMTP (TCP) with one reply per recipient after DATA,
    which smtplib.LMTP does not read. Returns {recipient: (code, text)} for
    every recipient refused at RCPT or after DATA (empty: all delivered)."""
    conn = RawLine(server.host, server.lmtp_port)
    try:
        conn.smtp_reply()
        conn.send("LHLO client.test\r\n")
        conn.smtp_reply()
        refused = {}
        conn.send("MAIL FROM:<%s>\r\n" % sender)
        reply = conn.line()
        if not reply.startswith("250"):
            return {r: (int(reply[:3]), reply[4:].encode()) for r in rcpts}
        accepted = []
        for rcpt in rcpts:
            reply = conn.cmd("RCPT TO:<%s>" % rcpt)
            if reply.startswith("250"):
                accepted.append(rcpt)
            else:
                refused[rcpt] = (int(reply[:3]), reply[4:].encode())
        if not accepted:
            return refused
        reply = conn.cmd("DATA")
        assert reply.startswith("354"), reply
        if isinstance(data, str):
            data = data.encode()
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        stuffed = re.sub(rb"(?m)^\.", b"..", data)
        conn.send(stuffed + b".\r\n")
        for rcpt in accepted:
            reply = conn.line()
            if not reply.startswith("250"):
                refused[rcpt] = (int(reply[:3]), reply[4:].encode())
        conn.cmd("QUIT")
        return refused
    finally:
        conn.close()


def pop3(server, user, password="pass"):
    client = poplib.POP3(server.host, server.pop3_port, timeout=30)
    client.user(user)
    client.pass_(password)
    return client


def imap(server, user, password="pass"):
    client = imaplib.IMAP4(server.host, server.imap_port, timeout=30)
    client.login(user, password)
    return client


def imap_subjects(server, user, mailbox="INBOX"):
    """Subjects of the messages in `mailbox`, in UID order."""
    client = imap(server, user)
    try:
        typ, _ = client.select(mailbox, readonly=True)
        assert typ == "OK", typ
        typ, data = client.uid("FETCH", "1:*",
                               "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects = []
        for item in data:
            if isinstance(item, tuple):
                m = re.search(rb"Subject: ?(.*?)\r?\n", item[1])
                subjects.append(m.group(1).decode() if m else "")
        return subjects
    finally:
        client.logout()


def imap_messages(server, user, mailbox="INBOX"):
    """Full bytes of every message in `mailbox`, in UID order."""
    client = imap(server, user)
    try:
        client.select(mailbox, readonly=True)
        typ, data = client.uid("FETCH", "1:*", "(BODY.PEEK[])")
        return [item[1] for item in data if isinstance(item, tuple)]
    finally:
        client.logout()


class RawLine:
    """A line-oriented raw connection, for what poplib/smtplib cannot do."""

    def __init__(self, host=None, port=None, unix_path=None, timeout=30):
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        self.file = self.sock.makefile("rb")

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self):
        data = self.file.readline()
        if not data:
            raise ConnectionError("connection closed")
        return data.rstrip(b"\r\n").decode("utf-8", "replace")

    def cmd(self, text):
        self.send(text + "\r\n")
        return self.line()

    def multiline(self):
        """Lines of a POP3 multi-line body, dot-stuffing undone."""
        lines = []
        while True:
            line = self.line()
            if line == ".":
                return lines
            lines.append(line[1:] if line.startswith(".") else line)

    def smtp_reply(self):
        """All lines of one (multi-line) SMTP/LMTP reply."""
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return lines

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass


def scram_sha256_exchange(send, user, password):
    """Runs a client-side SCRAM-SHA-256 exchange (RFC 5802/7677).

    `send(bytes_or_None)` sends one client message (base64-encoded by the
    caller's protocol) and returns the server's next challenge (raw bytes),
    or None when the server said OK. Returns True if the server proved
    itself.
    """
    nonce = base64.b64encode(os.urandom(18)).decode()
    bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), nonce)
    server_first = send(("n,," + bare).encode()).decode()
    attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
    assert attrs["r"].startswith(nonce)
    salt = base64.b64decode(attrs["s"])
    iterations = int(attrs["i"])
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    without_proof = "c=biws,r=" + attrs["r"]
    auth_message = ",".join([bare, server_first, without_proof]).encode()
    signature = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
    proof = bytes(a ^ b for a, b in zip(client_key, signature))
    final = "%s,p=%s" % (without_proof, base64.b64encode(proof).decode())
    server_final = send(final.encode())
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    expected = base64.b64encode(
        hmac.new(server_key, auth_message, hashlib.sha256).digest()).decode()
    if server_final is None:
        return False
    ok = server_final.decode() == "v=" + expected
    send(b"")  # the empty response after server-final
    return ok
