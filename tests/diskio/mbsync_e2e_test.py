"""A Maildir written by a real third-party program: mbsync (isync) copies
an account from Mailroom's IMAP server into a local Maildir++ tree, which
`import maildir` then brings into another account. Folders, flags and
bytes must match the original (mbsync keeps no keywords and no dates), and
mbsync's UIDs and UIDVALIDITY are kept."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from tests.diskio.imap_dump import dump_account, login, mutf7, quote
from tests.harness.mailroomd import Mailroomd

MBSYNC = shutil.which("mbsync")

CONFIG = """\
IMAPAccount far
Host 127.0.0.1
Port {port}
User far
Pass farpw
SSLType None
AuthMechs LOGIN

IMAPStore far-store
Account far

MaildirStore near-store
Inbox {root}
SubFolders Maildir++

Channel copy
Far :far-store:
Near :near-store:
Patterns *
Create Near
Sync Pull
SyncState *
"""


def content(account):
    """{mailbox: sorted [(flags, bytes)]}: what mbsync carries. mbsync adds
    an X-TUID header (its own transaction id) to the messages it stores."""
    return {name: sorted((sorted(flags),
                          re.sub(rb"X-TUID: [^\r]*\r\n", b"", body))
                         for _, flags, _, body in messages)
            for name, (_, messages) in account.items()}


@unittest.skipIf(MBSYNC is None, "mbsync (isync) is not installed")
class MbsyncTest(unittest.TestCase):
    def test_mbsync_maildir_imports(self):
        with tempfile.TemporaryDirectory() as tmp, \
                Mailroomd(tmp, plugins=("imap",)) as server:
            server.add_user("far", "farpw")
            server.add_user("near", "nearpw")
            imap = login(server, "far", "farpw")
            folders = ["Lists", "Lists/dev", mutf7("Entwürfe")]
            for name in folders:
                imap.create(quote(name))
            flag_sets = ["(\\Seen)", "(\\Answered \\Flagged)", "(\\Draft)",
                         "()"]
            for n, mailbox in enumerate(["INBOX", "Sent"] + folders):
                for i in range(4):
                    body = ("Subject: %s %d\r\n\r\nFrom here\r\nbody %d\r\n"
                            % (mailbox, i, n)).encode()
                    imap.append(quote(mailbox), flag_sets[i], None, body)
            far, _ = dump_account(imap)
            imap.logout()

            root = os.path.join(tmp, "Maildir")
            os.makedirs(root)
            config = os.path.join(tmp, "mbsyncrc")
            with open(config, "w") as f:
                f.write(CONFIG.format(port=server.imap_port, root=root))
            run = subprocess.run([MBSYNC, "-c", config, "-a"],
                                 capture_output=True, text=True, timeout=120,
                                 env=dict(os.environ, HOME=tmp))
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            self.assertTrue(os.path.isdir(
                os.path.join(root, "." + mutf7("Entwürfe"), "cur")))

            out = server.ctl("import", "maildir", root, "--user", "near")
            self.assertIn("imported 20 message(s)", out.stdout)
            imap = login(server, "near", "nearpw")
            near, _ = dump_account(imap)
            imap.logout()
            self.assertEqual(content(near), content(far))
            # mbsync's own UIDs (",U=<uid>" in the names) and UIDVALIDITY
            # (.uidvalidity) are kept.
            with open(os.path.join(root, ".uidvalidity")) as f:
                uidvalidity = int(f.readline())
            names = os.listdir(os.path.join(root, "cur")) + \
                os.listdir(os.path.join(root, "new"))
            uids = sorted(int(re.search(r",U=(\d+)", n).group(1))
                          for n in names)
            self.assertEqual(near["INBOX"][0], uidvalidity)
            self.assertEqual([m[0] for m in near["INBOX"][1]], uids)

            again = server.ctl("import", "maildir", root, "--user", "near")
            self.assertIn("imported 0 message(s)", again.stdout)


if __name__ == "__main__":
    unittest.main()
