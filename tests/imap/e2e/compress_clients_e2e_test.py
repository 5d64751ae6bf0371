"""Real clients against a server that offers COMPRESS=DEFLATE: mbsync
(isync 1.4, built with zlib) negotiates it and syncs a mailbox through it;
imaplib and curl, which do not compress, work as before."""

import imaplib
import os
import shutil
import subprocess
import tempfile
import unittest

from tests.imap.e2e.e2e_base import ImapTestCase, PASSWORD
from tests.imap.e2e.imap_client import ImapClient, message

MBSYNC = shutil.which("mbsync")
CURL = shutil.which("curl")

MBSYNC_CONFIG = """\
IMAPAccount far
Host 127.0.0.1
Port {port}
User {user}
Pass "{password}"
SSLType None
AuthMechs LOGIN

IMAPStore far-store
Account far

MaildirStore near-store
Inbox {root}/INBOX
SubFolders Verbatim

Channel copy
Far :far-store:
Near :near-store:
Patterns INBOX
Create Near
Sync Pull
SyncState *
"""


class CompressClientsTest(ImapTestCase):

    def fill(self, user, count):
        c = ImapClient(self.server.imap_port)
        self.clients.append(c)
        c.login(user, PASSWORD)
        bodies = []
        for i in range(count):
            body = message("real client %d" % i, "quoted line\r\n" * 100)
            self.assertIn("OK", c.append("INBOX", body))
            bodies.append(body.encode())
        return bodies

    @unittest.skipIf(MBSYNC is None, "mbsync (isync) is not installed")
    def test_mbsync_negotiates_compress(self):
        user = self.new_user()
        bodies = self.fill(user, 5)
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "mbsyncrc")
            with open(config, "w") as f:
                f.write(MBSYNC_CONFIG.format(port=self.server.imap_port,
                                             user=user, password=PASSWORD,
                                             root=tmp))
            # -Dn: mbsync prints the IMAP exchange.
            run = subprocess.run([MBSYNC, "-Dn", "-c", config, "-a"],
                                 capture_output=True, text=True, timeout=120,
                                 env=dict(os.environ, HOME=tmp))
            trace = run.stdout + run.stderr
            self.assertEqual(run.returncode, 0, trace[-3000:])
            self.assertIn("COMPRESS DEFLATE", trace)
            got = []
            for sub in ("cur", "new"):
                d = os.path.join(tmp, "INBOX", sub)
                for name in os.listdir(d):
                    with open(os.path.join(d, name), "rb") as f:
                        got.append(f.read())
        self.assertEqual(len(got), 5)
        for body in bodies:
            # mbsync stores LF line ends and may add X-TUID.
            self.assertTrue(any(body.replace(b"\r\n", b"\n")[-200:] in g
                                for g in got))
        self.assertIn("imap: COMPRESS DEFLATE active", self.server.log())

    def test_imaplib_still_works(self):
        user = self.new_user()
        bodies = self.fill(user, 2)
        imap = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
        imap.login(user, PASSWORD)
        imap.select("INBOX")
        typ, data = imap.fetch("2", "(BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0][1], bodies[1])
        imap.logout()

    @unittest.skipIf(CURL is None, "curl is not installed")
    def test_curl_still_works(self):
        user = self.new_user()
        bodies = self.fill(user, 1)
        run = subprocess.run(
            [CURL, "-s", "--user", "%s:%s" % (user, PASSWORD),
             "imap://127.0.0.1:%d/INBOX;UID=1" % self.server.imap_port],
            capture_output=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout, bodies[0])


if __name__ == "__main__":
    unittest.main()
