"""POP3 is byte-exact against IMAP on a corpus of real mail.

Every message of the corpus (scripts/fetch_corpus.sh: 6046 SpamAssassin
messages with their original bare-LF line ends, broken MIME and long lines)
is imported byte for byte and a share of it also arrives over LMTP (CRLF).
Then, for every message, RETR with its dot-stuffing undone equals IMAP
BODY[] with each line end made CRLF, LIST's size equals what RETR sent, and
STAT adds up. Messages stored with CRLF line ends go out unchanged.

The corpus comes from MAILROOM_CORPUS_DIR (default
~/.cache/mailroom/corpus); the test is skipped, saying so, when it is absent.
"""
import os
import socket
import tempfile
import unittest

from tests.pop3 import e2e_support as e2e

# Messages of the corpus also delivered over LMTP (one synced commit each).
LMTP_SHARE = 300
IMAP_FETCH_BATCH = 500


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


class Pop3Reader:
    """A raw POP3 client: poplib caps line lengths and rewrites line ends,
    and this test needs the exact bytes."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=120)
        self.file = self.sock.makefile("rb")
        self.status()

    def status(self):
        line = self.file.readline()
        if not line.startswith(b"+OK"):
            raise AssertionError("POP3 said %r" % line)
        return line.rstrip(b"\r\n").decode()

    def cmd(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.status()

    def multiline(self):
        """The body of a multi-line response, dot-stuffing undone, bytes
        exactly as sent otherwise."""
        out = []
        while True:
            line = self.file.readline()
            if not line.endswith(b"\r\n"):
                raise AssertionError("line without CRLF: %r" % line[-40:])
            if line == b".\r\n":
                return b"".join(out)
            out.append(line[1:] if line.startswith(b".") else line)

    def close(self):
        self.cmd("QUIT")
        self.sock.close()


@unittest.skipUnless(corpus_dir(), "no corpus: run scripts/fetch_corpus.sh "
                     "and pass --test_env=MAILROOM_CORPUS_DIR=<dir>")
class Pop3CorpusTest(unittest.TestCase):
    def test_retr_equals_imap_body_for_every_message(self):
        files = corpus_files(corpus_dir())
        self.assertGreater(len(files), 0)
        with e2e.Server(tls=False) as server, \
                tempfile.TemporaryDirectory() as tmp:
            server.create_user("reader", "pass")
            # Byte for byte: a Maildir of the corpus files.
            maildir = os.path.join(tmp, "maildir")
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(maildir, sub))
            originals = []
            for i, path in enumerate(files):
                with open(path, "rb") as f:
                    data = f.read()
                originals.append(data)
                with open(os.path.join(maildir, "cur",
                                       "%010d.corpus:2," % i), "wb") as f:
                    f.write(data)
            server.ctl("import", "maildir", maildir, "--user", "reader")
            # And some over LMTP, where line ends arrive as CRLF.
            for data in originals[:LMTP_SHARE]:
                refused = e2e.deliver(server, ["reader@%s" % e2e.DOMAIN],
                                      crlf(data))
                self.assertEqual(refused, {})

            imap = e2e.imap(server, "reader")
            typ, data = imap.select("INBOX", readonly=True)
            self.assertEqual(typ, "OK")
            total = int(data[0])
            self.assertEqual(total, len(files) + LMTP_SHARE)
            bodies = []
            for first in range(1, total + 1, IMAP_FETCH_BATCH):
                last = min(total, first + IMAP_FETCH_BATCH - 1)
                typ, items = imap.fetch("%d:%d" % (first, last),
                                        "(BODY.PEEK[])")
                self.assertEqual(typ, "OK")
                bodies += [item[1] for item in items
                           if isinstance(item, tuple)]
            imap.logout()
            self.assertEqual(len(bodies), total)

            pop = Pop3Reader(server.host, server.pop3_port)
            pop.cmd("USER reader")
            pop.cmd("PASS pass")
            count, size = map(int, pop.cmd("STAT").split()[1:3])
            self.assertEqual(count, total)
            pop.cmd("LIST")
            listed = {}
            for line in pop.multiline().splitlines():
                n, octets = line.split()
                listed[int(n)] = int(octets)
            self.assertEqual(sum(listed.values()), size)

            unchanged = 0
            for n in range(1, total + 1):
                status = pop.cmd("RETR %d" % n)
                sent = pop.multiline()
                want = crlf(bodies[n - 1])
                if sent != want:
                    self.fail("message %d: RETR differs from BODY[] (%d vs "
                              "%d octets); first difference at %d" % (
                                  n, len(sent), len(want),
                                  next((i for i, (a, b) in enumerate(
                                      zip(sent, want)) if a != b),
                                       min(len(sent), len(want)))))
                self.assertEqual(len(sent), listed[n], "LIST of %d" % n)
                self.assertEqual(status.split()[1], str(listed[n]))
                if bodies[n - 1] == sent:
                    unchanged += 1
            pop.close()
            # The imported messages are stored byte for byte (bare LF), the
            # LMTP ones with CRLF, which RETR sends unchanged.
            self.assertEqual(sorted(bodies[:len(files)]), sorted(originals))
            self.assertGreaterEqual(unchanged, LMTP_SHARE)


if __name__ == "__main__":
    unittest.main()
