"""Reads an account over IMAP into plain data, so tests can compare
accounts: mailbox names, UIDVALIDITY, and per message UID, flags,
INTERNALDATE (seconds since the epoch) and bytes; subscriptions."""

import imaplib
import re
import time

LIST_LINE = re.compile(
    rb'\((?P<attrs>[^)]*)\) (?:"(?:\\.|[^"])"|NIL) '
    rb'(?:"(?P<quoted>(?:\\.|[^"\\])*)"|(?P<atom>\S+))$')


def mutf7(name):
    """UTF-8 text to modified UTF-7 (RFC 3501 5.1.3)."""
    out, run = [], []

    def flush():
        if run:
            encoded = "".join(run).encode("utf-16-be")
            import base64
            b64 = base64.b64encode(encoded).decode().rstrip("=")
            out.append("&" + b64.replace("/", ",") + "-")
            run.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def list_mailboxes(imap, command="LIST"):
    """Names (as the server sends them) -> attributes, lower case."""
    typ, data = (imap.list() if command == "LIST" else imap.lsub())
    assert typ == "OK", data
    boxes = {}
    for line in data:
        if line is None:
            continue
        if isinstance(line, tuple):  # a literal name
            line = line[0] + line[1]
        m = LIST_LINE.match(line)
        assert m, line
        name = m.group("quoted") if m.group("quoted") is not None \
            else m.group("atom")
        name = re.sub(rb"\\(.)", rb"\1", name).decode()
        boxes[name] = m.group("attrs").decode().lower().split()
    return boxes


def fetch_all(imap, mailbox):
    """(uidvalidity, [(uid, flags frozenset, internaldate, bytes)])."""
    typ, data = imap.select(quote(mailbox), readonly=True)
    assert typ == "OK", (mailbox, data)
    uidvalidity = int(imap.untagged_responses["UIDVALIDITY"][-1])
    messages = []
    if int(data[0]) > 0:
        typ, data = imap.uid("FETCH", "1:*",
                             "(UID FLAGS INTERNALDATE BODY.PEEK[])")
        assert typ == "OK", data
        for item in data:
            if not isinstance(item, tuple):
                continue
            head, body = item
            uid = int(re.search(rb"UID (\d+)", head).group(1))
            flags = re.search(rb"FLAGS \(([^)]*)\)", head).group(1).split()
            flags = frozenset(f.decode() for f in flags
                              if f.lower() != b"\\recent")
            date = imaplib.Internaldate2tuple(head)
            messages.append((uid, flags, int(time.mktime(date)), body))
    messages.sort()
    return uidvalidity, messages


def dump_account(imap):
    """{name: (uidvalidity, messages)} for every selectable mailbox, and the
    sorted subscribed names."""
    boxes = list_mailboxes(imap)
    account = {}
    for name, attrs in boxes.items():
        if "\\noselect" in attrs or "\\nonexistent" in attrs:
            continue
        account[name] = fetch_all(imap, name)
    subscribed = sorted(list_mailboxes(imap, "LSUB"))
    return account, subscribed


def login(server, user, password):
    imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
    imap.login(user, password)
    return imap
