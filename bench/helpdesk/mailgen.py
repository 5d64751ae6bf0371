"""Synthetic helpdesk tickets, written as an mbox (for `mailroomctl import
mbox`) or as a Dovecot maildir folder, so both servers hold the same
messages without a slow APPEND loop.

Message i is deterministic: the same count gives byte-identical mail in
both formats (LF line ends on disk; the servers present CRLF).
"""

import os

_BASE_TIME = 1_700_000_000  # 2023-11-14, internal dates count up from here
_WORDS = ("printer", "password", "invoice", "laptop", "vpn", "refund",
          "delivery", "account", "upgrade", "outage", "license", "backup")


def ticket(i):
    """Message number i (from 1) as bytes with LF line ends."""
    word = _WORDS[i % len(_WORDS)]
    other = _WORDS[(i * 7 + 3) % len(_WORDS)]
    body = "".join(
        "Line %d of ticket %d: the %s stopped working after the %s.\n"
        % (n, i, word, other) for n in range(1, 7))
    text = (
        "From: Customer %d <customer%d@example.com>\n"
        "To: Helpdesk <helpdesk@example.com>\n"
        "Subject: Ticket %d: %s problem\n"
        "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
        "Message-ID: <ticket-%d@example.com>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "Hello,\n\n%s\nRegards,\nCustomer %d\n"
        % (i % 997, i % 997, i, word, i, body, i % 997))
    return text.encode()


def write_mbox(path, count):
    """An mbox of `count` tickets (no body line starts with 'From ')."""
    with open(path, "wb") as out:
        for i in range(1, count + 1):
            out.write(b"From customer@example.com Tue Nov 14 22:13:20 2023\n")
            out.write(ticket(i))
            out.write(b"\n")


def write_maildir(folder, count):
    """Maildir `folder` (cur/new/tmp) holding `count` tickets in cur/.

    File names carry S= (size) and W= (CRLF size) so Dovecot need not stat
    or read the files to learn them.
    """
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    cur = os.path.join(folder, "cur")
    for i in range(1, count + 1):
        data = ticket(i)
        crlf_size = len(data) + data.count(b"\n")
        name = "%d.M%dP1.helpdesk,S=%d,W=%d:2," % (
            _BASE_TIME + i, i, len(data), crlf_size)
        path = os.path.join(cur, name)
        with open(path, "wb") as out:
            out.write(data)
        os.utime(path, (_BASE_TIME + i, _BASE_TIME + i))
