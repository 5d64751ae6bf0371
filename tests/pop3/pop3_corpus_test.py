"""POP3 is byte-exact against IMAP on a corpus of real mail.

Every message of the corpus (scripts/fetch_corpus.sh: 6046 SpamAssassin
messages with their original bare-LF line ends, broken MIME and long lines)
is stored byte for byte with IMAP MULTIAPPEND, and a share of it also
arrives over LMTP (CRLF). Then, for every message, RETR with its
dot-stuffing undone equals IMAP BODY[] with each line end made CRLF, LIST's
size equals what RETR sent, and STAT adds up. Messages stored with CRLF line
ends go out unchanged. Messages with bare CR, lines starting with '.' and no
final line end are counted, so a corpus without them fails loudly.

One IMAP and one POP3 connection, each pipelined (MULTIAPPEND batches, one
FETCH per batch, RETR commands sent in batches), so the whole corpus takes
seconds.

The corpus comes from MAILROOM_CORPUS_DIR (default
~/.cache/mailroom/corpus); the test is skipped, saying so, when it is absent.
"""
import os
import socket
import unittest

from tests.pop3 import e2e_support as e2e

# Messages of the corpus also delivered over LMTP (one synced commit each).
LMTP_SHARE = 100
# Messages per MULTIAPPEND, per FETCH and per batch of pipelined RETRs.
APPEND_BATCH = 400
IMAP_FETCH_BATCH = 500
RETR_BATCH = 200


def corpus_dir():
    d = os.environ.get("MAILROOM_CORPUS_DIR") or os.path.expanduser(
        "~/.cache/mailroom/corpus")
    return d if os.path.isdir(d) else None


def corpus_files(d):
    files = []
    for group in sorted(os.listdir(d)):
        gdir = os.path.join(d, group)
        if os.path.isdir(gdir):
            files += [os.path.join(gdir, f) for f in sorted(os.listdir(gdir))
                      if f.endswith(".eml")]
    return files


def crlf(raw):
    """`raw` as POP3 must send it before dot-stuffing: every LF (with or
    without its CR) as CRLF, a final CR as the missing line end, a final
    CRLF when the message lacks one."""
    if not raw:
        return b""
    parts = raw.split(b"\n")
    last = parts.pop()
    out = b"".join((p[:-1] if p.endswith(b"\r") else p) + b"\r\n"
                   for p in parts)
    if last:
        out += (last[:-1] if last.endswith(b"\r") else last) + b"\r\n"
    return out


def first_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y),
                min(len(a), len(b)))


class Conn:
    """A raw line/literal reader over a socket: imaplib rewrites line ends
    on APPEND and poplib caps line lengths, and this test needs the exact
    bytes."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=120)
        self.file = self.sock.makefile("rb")

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        line = self.file.readline()
        if not line.endswith(b"\r\n"):
            raise AssertionError("line without CRLF: %r" % line[-40:])
        return line

    def read(self, n):
        data = self.file.read(n)
        if len(data) != n:
            raise AssertionError("connection closed inside a literal")
        return data

    def close(self):
        self.sock.close()


class Imap(Conn):
    def __init__(self, host, port, user, password):
        super().__init__(host, port)
        self.tag = 0
        self.line()  # greeting
        self.command(b"LOGIN %s %s" % (user.encode(), password.encode()))

    def command(self, text, literals=()):
        """Sends one command whose literals (LITERAL+) follow `text`, each
        after a space; returns the untagged lines with their
        literals as (line, [literal bytes...])."""
        self.tag += 1
        tag = b"t%d" % self.tag
        out = [tag, b" ", text]
        for literal in literals:
            out += [b" {%d+}\r\n" % len(literal), literal]
        out.append(b"\r\n")
        self.send(b"".join(out))
        responses = []
        while True:
            line = self.line()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise AssertionError("IMAP said %r" % line)
                return responses
            parts = []
            while line.endswith(b"}\r\n") and b"{" in line:
                n = int(line[line.rindex(b"{") + 1:-3])
                parts.append(self.read(n))
                line = self.line()
            responses.append((line, parts))


class Pop3(Conn):
    def __init__(self, host, port):
        super().__init__(host, port)
        self.status()

    def status(self):
        line = self.line()
        if not line.startswith(b"+OK"):
            raise AssertionError("POP3 said %r" % line)
        return line.rstrip(b"\r\n").decode()

    def cmd(self, text):
        self.send(text.encode() + b"\r\n")
        return self.status()

    def multiline(self):
        """The body of a multi-line response, dot-stuffing undone, bytes
        exactly as sent otherwise."""
        out = []
        while True:
            line = self.line()
            if line == b".\r\n":
                return b"".join(out)
            out.append(line[1:] if line.startswith(b".") else line)


@unittest.skipUnless(corpus_dir(), "no corpus: run scripts/fetch_corpus.sh "
                     "and pass --test_env=MAILROOM_CORPUS_DIR=<dir>")
class Pop3CorpusTest(unittest.TestCase):
    def test_retr_equals_imap_body_for_every_message(self):
        originals = []
        for path in corpus_files(corpus_dir()):
            with open(path, "rb") as f:
                originals.append(f.read())
        self.assertGreater(len(originals), 0)
        # The shapes the one-pass writer must get right are in the corpus.
        shapes = {
            "bare LF": sum(1 for m in originals
                           if m.count(b"\n") > m.count(b"\r\n")),
            "bare CR": sum(1 for m in originals
                           if m.replace(b"\r\n", b"").count(b"\r")),
            "line starting with '.'": sum(
                1 for m in originals if m.startswith(b".") or b"\n." in m),
            "no final line end": sum(1 for m in originals
                                     if not m.endswith(b"\n")),
        }
        for shape, count in shapes.items():
            self.assertGreater(count, 0, "no message with " + shape)

        with e2e.Server(tls=False) as server:
            server.create_user("reader", "pass")
            imap = Imap(server.host, server.imap_port, "reader", "pass")
            # Byte for byte (bare LF and all), many messages per command.
            for first in range(0, len(originals), APPEND_BATCH):
                imap.command(b"APPEND INBOX",
                             originals[first:first + APPEND_BATCH])
            # And some over LMTP, where line ends arrive as CRLF.
            for data in originals[:LMTP_SHARE]:
                refused = e2e.deliver(server, ["reader@%s" % e2e.DOMAIN],
                                      crlf(data))
                self.assertEqual(refused, {})

            total = len(originals) + LMTP_SHARE
            imap.command(b"EXAMINE INBOX")
            bodies = []
            for first in range(1, total + 1, IMAP_FETCH_BATCH):
                last = min(total, first + IMAP_FETCH_BATCH - 1)
                for line, literals in imap.command(
                        b"FETCH %d:%d (BODY.PEEK[])" % (first, last)):
                    if literals:
                        self.assertEqual(len(literals), 1, line)
                        bodies.append(literals[0])
            imap.command(b"LOGOUT")
            imap.close()
            self.assertEqual(len(bodies), total)
            stored_as_sent = sum(1 for a, b in zip(bodies, originals)
                                 if a == b)
            self.assertEqual(stored_as_sent, len(originals),
                             "APPEND did not store every message byte for "
                             "byte")

            pop = Pop3(server.host, server.pop3_port)
            pop.cmd("USER reader")
            pop.cmd("PASS pass")
            count, size = map(int, pop.cmd("STAT").split()[1:3])
            self.assertEqual(count, total)
            pop.cmd("LIST")
            listed = {}
            for line in pop.multiline().splitlines():
                n, octets = line.split()
                listed[int(n)] = int(octets)
            self.assertEqual(len(listed), total)
            self.assertEqual(sum(listed.values()), size)

            unchanged = 0
            for first in range(1, total + 1, RETR_BATCH):
                batch = range(first, min(total, first + RETR_BATCH - 1) + 1)
                pop.send(b"".join(b"RETR %d\r\n" % n for n in batch))
                for n in batch:
                    status = pop.status()
                    sent = pop.multiline()
                    want = crlf(bodies[n - 1])
                    if sent != want:
                        self.fail("message %d: RETR differs from BODY[] "
                                  "(%d vs %d octets); first difference at "
                                  "%d" % (n, len(sent), len(want),
                                          first_difference(sent, want)))
                    self.assertEqual(len(sent), listed[n], "LIST of %d" % n)
                    self.assertEqual(status.split()[1], str(listed[n]))
                    if bodies[n - 1] == sent:
                        unchanged += 1
            pop.cmd("QUIT")
            pop.close()
            # Messages stored with CRLF line ends (the LMTP ones and any
            # CRLF corpus message) go out unchanged.
            self.assertGreaterEqual(unchanged, LMTP_SHARE)
            # Shutdown waits for the background work thousands of appends
            # leave behind (text indexing), longer than the harness's
            # default on a busy machine.
            self.assertEqual(server.daemon.stop(timeout=600), 0)


if __name__ == "__main__":
    unittest.main()
