"""import maildir (a Dovecot-format Maildir++ tree written here, and a
Courier one) and import mbox (Status/X-Status/X-Keywords/X-UID), checked
over IMAP: UIDs, UIDVALIDITY, flags, keywords, INTERNALDATE, bodies,
subscriptions; a rerun adds nothing."""

import json
import os
import tempfile
import unittest

from tests.diskio.imap_dump import dump_account, login, mutf7
from tests.harness.mailroomd import Mailroomd

# What a new account is subscribed to (CreateUser).
DEFAULT_SUBSCRIPTIONS = {"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"}
T1, T2, T3, T4 = 1500000000, 1600000000, 1650000000, 1700000000


def write(path, data, mtime=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def crlf(data):
    return data.replace(b"\n", b"\r\n")


def dovecot_tree(root):
    """A tree as Dovecot writes it; returns what IMAP must show."""
    # INBOX: version 3 uidlist, keywords, an unlisted message in new/.
    write(root + "/dovecot-uidlist",
          b"3 V1234567 N12 G0123456789abcdef\n"
          b"3 :1500000000.M1P1.host,S=31,W=33\n"
          b"9 W40 :1600000000.M2P2.host,S=38\n")
    write(root + "/dovecot-keywords", b"0 $Label1\n1 todo\n")
    one = b"Subject: one\n\nfirst message\n"
    two = b"Subject: two\n\nFrom here on\nsecond\n"
    three = b"Subject: three\n\nnot yet seen by a client\n"
    write(root + "/cur/1500000000.M1P1.host,S=31,W=33:2,RS", one, T1)
    write(root + "/cur/1600000000.M2P2.host,S=38:2,FPTab", two, T2)
    write(root + "/new/1650000000.M3P3.host", three, T3)
    write(root + "/tmp/1650000001.M4P4.host", b"Subject: half written\n")
    # A nested folder with a non-ASCII name, version 1 uidlist.
    projekt = root + "/.Arbeit." + mutf7("Entwürfe")
    write(projekt + "/maildirfolder", b"")
    write(projekt + "/dovecot-uidlist", b"1 777 5\n4 1700000000.M5P5.host\n")
    four = b"Subject: draft\n\n\xc3\xa4\n"
    write(projekt + "/cur/1700000000.M5P5.host:2,D", four, T4)
    # Dovecot's UTF-8 layout keeps the name raw; no uidlist.
    notes = root + "/.Заметки"
    five = b"Subject: notes\n\nraw utf-8 folder\n"
    write(notes + "/cur/1600000001.M6P6.host:2,S", five, T2 + 1)
    # "Sent Messages" next to the Sent the account already has.
    six = b"Subject: sent\n\nsent elsewhere\n"
    write(root + "/.Sent Messages/cur/1600000002.M7P7.host:2,S", six, T2 + 2)
    write(root + "/subscriptions",
          b"V\t2\nINBOX\nArbeit\t" + mutf7("Entwürfe").encode() + b"\n")
    return {
        "INBOX": (1234567, [
            (3, frozenset({"\\Answered", "\\Seen"}), T1, crlf(one)),
            (9, frozenset({"\\Flagged", "\\Deleted", "$Label1", "todo",
                           "$Forwarded"}), T2, crlf(two)),
            (12, frozenset(), T3, crlf(three)),
        ]),
        "Arbeit/" + mutf7("Entwürfe"): (777, [
            (4, frozenset({"\\Draft"}), T4, crlf(four))]),
        mutf7("Заметки"): (None, [
            (1, frozenset({"\\Seen"}), T2 + 1, crlf(five))]),
        "Sent Messages": (None, [
            (1, frozenset({"\\Seen"}), T2 + 2, crlf(six))]),
    }


MBOX = (b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
        b"Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
        b"X-IMAP: 4444 31 $Label1\n"
        b"Status: RO\n\n"
        b"This text is part of the internal format of your mail folder.\n\n"
        b"From alice@example.com Sat Jan  3 01:05:34 1996\n"
        b"Subject: read and answered\n"
        b"Status: RO\n"
        b"X-Status: A\n"
        b"X-Keywords: $Label1, work\n"
        b"X-UID: 20\n"
        b"Content-Length: 24\n"
        b"\n"
        b">From the quoted line\n"
        b"\n"
        b"From bob@example.com Thu Feb 29 23:59:59 2024\n"
        b"Subject: new and flagged\n"
        b"Status: O\n"
        b"X-Status: FT\n"
        b"X-UID: 30\n"
        b"\n"
        b"body\n")


class ImportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.server = Mailroomd(self.tmp.name, plugins=("imap",))
        self.server.start()
        self.server.add_user("dana", "pw")

    def tearDown(self):
        self.server.stop()
        self.tmp.cleanup()

    def import_json(self, *args):
        out = self.server.ctl("import", *args, "--user", "dana", "--json")
        return json.loads(out.stdout)

    def test_dovecot_maildir(self):
        root = os.path.join(self.tmp.name, "Maildir")
        expected = dovecot_tree(root)
        report = self.import_json("maildir", root)
        self.assertEqual(report["imported"], 6)
        self.assertEqual(report["subscriptions"], 2)
        uids = {m["name"]: m["uids"] for m in report["mailboxes"]}
        self.assertEqual(uids["INBOX"], "kept")
        self.assertEqual(uids["Sent Messages"], "new")

        imap = login(self.server, "dana", "pw")
        account, subscribed = dump_account(imap)
        for name, (uidvalidity, messages) in expected.items():
            self.assertIn(name, account)
            if uidvalidity is not None:
                self.assertEqual(account[name][0], uidvalidity, name)
            self.assertEqual(account[name][1], messages, name)
        # Import adds subscriptions; the account's own stay.
        self.assertEqual(set(subscribed) - DEFAULT_SUBSCRIPTIONS,
                         {"Arbeit/" + mutf7("Entwürfe")})
        # The account's own special-use folders are kept; the new folder
        # exists beside them.
        self.assertIn("Sent", account)
        imap.logout()

        # A rerun adds nothing, and says so.
        again = self.import_json("maildir", root)
        self.assertEqual(again["imported"], 0)
        self.assertEqual(again["skipped"], 6)
        imap = login(self.server, "dana", "pw")
        self.assertEqual(dump_account(imap)[0], account)
        imap.logout()

        # A message that arrived in the Maildir since is imported alone.
        write(root + "/new/1700000001.M9P9.host", b"Subject: late\n\nx\n", T4)
        later = self.import_json("maildir", root)
        self.assertEqual(later["imported"], 1)
        imap = login(self.server, "dana", "pw")
        inbox = dump_account(imap)[0]["INBOX"][1]
        self.assertEqual([m[0] for m in inbox], [3, 9, 12, 13])
        imap.logout()

    def test_courier_maildir(self):
        root = os.path.join(self.tmp.name, "courier")
        write(root + "/courierimapuiddb", b"1 1600000000 8\n7 100.host\n")
        write(root + "/cur/100.host:2,S", b"Subject: c\n\nc\n", T1)
        write(root + "/.Trash/cur/200.host:2,ST", b"Subject: t\n\nt\n", T2)
        write(root + "/.Trash/courierimapuiddb", b"1 99 3\n2 200.host\n")
        write(root + "/courierimapsubscribed", b"INBOX.Trash\n")
        # The format is detected when not named.
        self.assertEqual(self.import_json(root)["format"], "maildir")
        imap = login(self.server, "dana", "pw")
        account, subscribed = dump_account(imap)
        self.assertEqual(account["INBOX"][0], 1600000000)
        self.assertEqual([m[:3] for m in account["INBOX"][1]],
                         [(7, frozenset({"\\Seen"}), T1)])
        self.assertEqual(account["Trash"][0], 99)
        self.assertEqual([m[:2] for m in account["Trash"][1]],
                         [(2, frozenset({"\\Seen", "\\Deleted"}))])
        self.assertIn("Trash", subscribed)
        imap.logout()

    def test_mbox_flags_and_uids(self):
        mbox = os.path.join(self.tmp.name, "archive.mbox")
        write(mbox, MBOX)
        report = self.import_json("mbox", mbox, "--mailbox", "Old/2024")
        self.assertEqual(report["imported"], 2)
        imap = login(self.server, "dana", "pw")
        uidvalidity, messages = dump_account(imap)[0]["Old/2024"]
        self.assertEqual(uidvalidity, 4444)
        self.assertEqual(messages, [
            (20, frozenset({"\\Seen", "\\Answered", "$Label1", "work"}),
             820631134,
             b"Subject: read and answered\r\n\r\nFrom the quoted line\r\n"),
            (30, frozenset({"\\Flagged", "\\Draft"}), 1709251199,
             b"Subject: new and flagged\r\n\r\nbody\r\n"),
        ])
        imap.logout()
        again = self.import_json(mbox, "--mailbox", "Old/2024")
        self.assertEqual(again["format"], "mbox")
        self.assertEqual((again["imported"], again["skipped"]), (0, 2))

    def test_errors_are_clear(self):
        missing = self.server.ctl("import", "maildir", "/nonexistent/x",
                                  "--user", "dana", check=False)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("is not a directory", missing.stderr)
        root = os.path.join(self.tmp.name, "broken")
        write(root + "/cur/1.host:2,S", b"x\n")
        write(root + "/dovecot-uidlist", b"3 V1 N2\nnonsense\n")
        broken = self.server.ctl("import", "maildir", root, "--user", "dana",
                                 check=False)
        self.assertEqual(broken.returncode, 1)
        self.assertIn("dovecot-uidlist line 2", broken.stderr)
        nobody = self.server.ctl("import", "maildir", root, "--user", "zed",
                                 check=False)
        self.assertIn("no such user", nobody.stderr)
        usage = self.server.ctl("import", "maildir", root, check=False)
        self.assertEqual(usage.returncode, 2)


if __name__ == "__main__":
    unittest.main()
