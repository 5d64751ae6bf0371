"""Small LMTP/IMAP client helpers for the durability tests."""

import imaplib
import re
import socket


def lmtp_deliver(port, rcpt, data):
    """Delivers `data` (bytes) to one recipient over LMTP on 127.0.0.1.

    Returns the reply line after DATA (or the refusal of an earlier step),
    e.g. "250 2.0.0 <a@localhost> Delivered".
    """
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        reader = sock.makefile("rb")

        def reply():
            while True:
                line = reader.readline().decode("utf-8", "replace").rstrip()
                if len(line) < 4 or line[3] != "-":
                    return line

        def cmd(text):
            sock.sendall(text.encode() + b"\r\n")
            return reply()

        reply()  # greeting
        cmd("LHLO client.test")
        for step in ("MAIL FROM:<sender@example.org>",
                     "RCPT TO:<%s>" % rcpt):
            line = cmd(step)
            if not line.startswith("250"):
                return line
        line = cmd("DATA")
        if not line.startswith("354"):
            return line
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        sock.sendall(re.sub(rb"(?m)^\.", b"..", data) + b".\r\n")
        line = reply()
        cmd("QUIT")
        return line


def word(i):
    """A body word unique to message i (no word contains another)."""
    return "marker%04dz" % i


def message(subject, word, filler=0):
    """A message whose body carries `word` (for SEARCH) and `filler` bytes."""
    body = "the word is %s\r\n%s" % (word, ("x" * 76 + "\r\n") * (filler // 78))
    return ("From: sender@example.org\r\nTo: user@localhost\r\n"
            "Subject: %s\r\nMessage-ID: <%s@test>\r\n\r\n%s"
            % (subject, subject, body)).encode()


def imap_login(port, user, password):
    client = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    client.login(user, password)
    return client


def subjects_and_flags(client):
    """{subject: set of flags} of the selected mailbox."""
    typ, data = client.uid(
        "FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK", data
    out = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        subject = re.search(rb"Subject: ?(.*?)\r?\n", item[1])
        flags = re.search(rb"FLAGS \(([^)]*)\)", item[0])
        out[subject.group(1).decode()] = set(
            flags.group(1).decode().split()) if flags else set()
    return out


def search_body(client, word):
    """UIDs whose text contains `word`."""
    typ, data = client.uid("SEARCH", "BODY", word)
    assert typ == "OK", data
    return [int(x) for x in data[0].split()]
