"""export → import round trips: an account filled over IMAP (nested and
non-ASCII folders, flags, keywords, internal dates, UID gaps,
subscriptions) is exported as Maildir++ and as mbox, imported into fresh
accounts, and must look the same over IMAP: folders, UIDs, UIDVALIDITY,
flags, keywords, INTERNALDATE, bytes (and subscriptions for Maildir), and
METADATA annotations: the account's /private ones on mailboxes and the
server, the /shared ones of its mailboxes.
Runs on RocksDB and on RADOS (the _rados twin: export is that engine's
backup path); on RADOS the export is also run by a mailroomctl that opens
the store itself."""

import imaplib
import json
import os
import stat
import tempfile
import unittest

from tests.diskio.imap_dump import dump_account, login, mutf7, quote
from tests.harness.mailroomd import Mailroomd, on_rados

FOLDERS = ["Projects", "Projects/2024", "Projects/" + mutf7("Entwürfe"),
           mutf7("Заметки"), "v1.2"]


# (mailbox, entry, value) set on src before the export; "" is the server.
ANNOTATIONS = [("INBOX", "/shared/comment", "Eingang \u00e4"),
               ("Projects/2024", "/private/vendor/x/colour", "red"),
               ("Projects/2024", "/shared/vendor/x/owner", "team 7"),
               ("", "/private/vendor/x/theme", "dark")]


def annotate(server):
    for mailbox, entry, value in ANNOTATIONS:
        server.ctl("metadata", "set", "src", mailbox, entry, value)
    # The server's own /shared entries belong to no account.
    server.ctl("metadata", "set", "", "", "/shared/admin", "mailto:pm@x")


def annotations(server, user):
    found = []
    for mailbox, entry, _ in ANNOTATIONS + [("", "/shared/admin", "")]:
        out = json.loads(server.ctl("metadata", "get", user, mailbox, entry,
                                    "--json").stdout)
        for name, value in out["entries"].items():
            found.append((mailbox, name, value))
    return found


def fill(imap):
    for name in FOLDERS:
        typ, data = imap.create(quote(name))
        assert typ == "OK", (name, data)
    imap.subscribe(quote("Projects/2024"))
    imap.subscribe(quote(mutf7("Заметки")))
    imap.unsubscribe("Junk")
    dates = ['"03-Jan-1996 01:05:34 +0000"', '"29-Feb-2024 23:59:59 +0000"',
             '"14-Nov-2023 22:13:20 +0000"']
    flag_sets = ["(\\Seen)", "(\\Answered \\Flagged $Label1 todo)",
                 "(\\Draft $Forwarded)", "()", "(\\Seen \\Deleted)"]
    n = 0
    for mailbox in ["INBOX"] + FOLDERS:
        for i in range(5):
            body = ("Subject: %s %d\r\nFrom: a@example.com\r\n\r\n"
                    "From the start of a line\r\n>From quoted\r\n"
                    "line %d of %s \u00e4\r\n" % (mailbox, i, n, mailbox))
            typ, data = imap.append(quote(mailbox), flag_sets[i % 5],
                                    dates[n % 3], body.encode())
            assert typ == "OK", data
            n += 1
    # UID gaps: expunge two INBOX messages.
    imap.select("INBOX")
    imap.uid("STORE", "2,4", "+FLAGS.SILENT", "(\\Deleted)")
    imap.uid("EXPUNGE", "2,4")
    imap.store("1", "-FLAGS.SILENT", "(\\Deleted)")


class RoundTripTest(unittest.TestCase):
    def test_export_import_round_trip(self):
        with tempfile.TemporaryDirectory() as tmp, \
                Mailroomd(tmp, plugins=("imap",)) as server:
            for user in ("src", "copy1", "copy2", "other"):
                server.add_user(user, "pw")
            # A mailbox another user shares with src: theirs to export.
            server.ctl("mailbox", "create", "other", "Team")
            server.ctl("acl", "set", "other", "Team", "src", "lr")
            imap = login(server, "src", "pw")
            fill(imap)
            source, source_subscribed = dump_account(imap)
            imap.logout()
            annotate(server)
            expected = [a for a in ANNOTATIONS] + [
                ("", "/shared/admin", "mailto:pm@x")]
            self.assertEqual(annotations(server, "src"), expected)
            self.assertIn("Other Users/other/Team", source)
            del source["Other Users/other/Team"]
            source_subscribed = [n for n in source_subscribed
                                 if not n.startswith("Other Users/")]
            self.assertIn(quote("v1.2")[1:-1], source)

            maildir = os.path.join(tmp, "export-maildir")
            out = json.loads(server.ctl("export", "src", "--format",
                                        "maildir", maildir,
                                        "--json").stdout)
            self.assertEqual(out["messages"], 28)
            self.assertEqual(out["vanished"], 0)
            self.assertEqual(out["annotations"], 4)
            self.assertEqual(stat.S_IMODE(os.stat(maildir).st_mode), 0o700)
            for dirpath, dirnames, filenames in os.walk(maildir):
                for d in dirnames:
                    self.assertEqual(stat.S_IMODE(
                        os.stat(os.path.join(dirpath, d)).st_mode), 0o700)
                for f in filenames:
                    self.assertEqual(stat.S_IMODE(
                        os.stat(os.path.join(dirpath, f)).st_mode), 0o600)
            self.assertFalse([d for d in os.listdir(maildir)
                              if "Other" in d or "Team" in d])
            # Dovecot's names: modified UTF-7 levels split by '.'.
            self.assertTrue(os.path.isdir(os.path.join(
                maildir, ".Projects." + mutf7("Entwürfe"), "cur")))
            with open(os.path.join(maildir, "dovecot-uidlist")) as f:
                self.assertTrue(f.readline().startswith(
                    "3 V%d N" % source["INBOX"][0]))

            server.ctl("import", "maildir", maildir, "--user", "copy1")
            imap = login(server, "copy1", "pw")
            copy, copy_subscribed = dump_account(imap)
            imap.logout()
            self.assertEqual(copy, source)
            self.assertEqual(set(copy_subscribed) - {"Junk"},
                             set(source_subscribed))
            self.assertEqual(annotations(server, "copy1"), expected)

            mbox = os.path.join(tmp, "export-mbox")
            server.ctl("export", "src", "--format=mbox", mbox)
            self.assertTrue(os.path.isfile(
                os.path.join(mbox, "Projects.sbd", "2024")))
            self.assertTrue(os.path.isfile(os.path.join(mbox, "Projects")))
            server.ctl("import", "mbox", mbox, "--user", "copy2")
            imap = login(server, "copy2", "pw")
            copy2, _ = dump_account(imap)
            imap.logout()
            # mbox carries no UIDVALIDITY for an empty mailbox.
            for name, (uidvalidity, messages) in source.items():
                self.assertEqual(copy2[name][1], messages, name)
                if messages:
                    self.assertEqual(copy2[name][0], uidvalidity, name)
            self.assertEqual(annotations(server, "copy2"), expected)

            # Reruns add nothing.
            again = json.loads(server.ctl("import", "maildir", maildir,
                                          "--user", "copy1",
                                          "--json").stdout)
            self.assertEqual((again["imported"], again["skipped"]), (0, 28))
            again = json.loads(server.ctl("import", "mbox", mbox, "--user",
                                          "copy2", "--json").stdout)
            self.assertEqual((again["imported"], again["skipped"]), (0, 28))

            # Export refuses to mix with an earlier export.
            refused = server.ctl("export", "src", "--format=maildir",
                                 maildir, check=False)
            self.assertEqual(refused.returncode, 1)
            self.assertIn("not empty", refused.stderr)

            if on_rados():
                # The RADOS engine's backup path works without the daemon:
                # mailroomctl opens the store itself.
                server.stop()
                offline = os.path.join(tmp, "offline")
                out = json.loads(server.ctl("export", "src", "--format",
                                            "maildir", offline,
                                            "--json").stdout)
                self.assertEqual(out["messages"], 28)
                server.ctl("user", "add", "copy3", "--password=pw")
                server.ctl("import", "maildir", offline, "--user", "copy3")
                server.start()
                imap = login(server, "copy3", "pw")
                self.assertEqual(dump_account(imap)[0], source)
                imap.logout()


if __name__ == "__main__":
    unittest.main()
