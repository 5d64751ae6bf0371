"""A Maildir written by Dovecot itself: mail appended over IMAP to a
private Dovecot (flags, keywords, dates, nested and non-ASCII folders, a
UID gap, a subscription) is imported from Dovecot's Maildir with `import
maildir`, and Mailroom must then show over IMAP what Dovecot showed: UIDs,
UIDVALIDITY, flags, keywords, INTERNALDATE, bytes, subscriptions."""

import imaplib
import os
import tempfile
import unittest

from tests.diskio.imap_dump import dump_account, login, mutf7, quote
from tests.harness.mailroomd import Mailroomd
from tests.migrate import dovecot_source


def mailroom_name(dovecot_name):
    """Dovecot's namespace here is "INBOX." with separator "."."""
    if dovecot_name == "INBOX":
        return "INBOX"
    assert dovecot_name.startswith("INBOX."), dovecot_name
    return dovecot_name[len("INBOX."):].replace(".", "/")


@unittest.skipUnless(dovecot_source.available(), "Dovecot is not installed")
class DovecotMaildirTest(unittest.TestCase):
    def test_dovecot_maildir_imports_exactly(self):
        with tempfile.TemporaryDirectory() as tmp, \
                dovecot_source.DovecotSource({"dove": "pw"}) as dovecot, \
                Mailroomd(tmp, plugins=("imap",)) as server:
            server.add_user("near", "pw")
            imap = imaplib.IMAP4("127.0.0.1", dovecot.imap_port)
            imap.login("dove", "pw")
            entwuerfe = "INBOX.Projekte." + mutf7("Entwürfe")
            for name in ("INBOX.Projekte", entwuerfe):
                typ, data = imap.create(quote(name))
                self.assertEqual(typ, "OK", data)
            imap.subscribe(quote(entwuerfe))
            dates = ['"03-Jan-1996 01:05:34 +0000"',
                     '"29-Feb-2024 23:59:59 +0000"']
            flags = ["(\\Seen $Label1)", "(\\Answered \\Flagged todo)", "()",
                     "(\\Seen \\Deleted $Forwarded)"]
            for mailbox in ("INBOX", "INBOX.Projekte", entwuerfe):
                for i, flag_list in enumerate(flags):
                    body = ("Subject: %s %d\r\n\r\nFrom a line\r\n\u00e4\r\n"
                            % (mailbox, i)).encode()
                    typ, data = imap.append(quote(mailbox), flag_list,
                                            dates[i % 2], body)
                    self.assertEqual(typ, "OK", data)
            imap.select("INBOX")
            imap.uid("STORE", "2", "+FLAGS.SILENT", "(\\Deleted)")
            imap.uid("EXPUNGE", "2")  # a UID gap
            imap.unselect()  # CLOSE would expunge the \Deleted ones
            dovecot_view, dovecot_subscribed = dump_account(imap)
            imap.logout()
            self.assertEqual(len(dovecot_view["INBOX"][1]), 3)

            maildir = os.path.join(dovecot.dir, "mail", "dove", "Maildir")
            self.assertTrue(os.path.exists(
                os.path.join(maildir, "dovecot-uidlist")))
            out = server.ctl("import", "maildir", maildir, "--user", "near")
            self.assertIn("imported 11 message(s)", out.stdout)

            imap = login(server, "near", "pw")
            near, near_subscribed = dump_account(imap)
            imap.logout()
            for name, view in dovecot_view.items():
                self.assertEqual(near[mailroom_name(name)], view, name)
            for name in dovecot_subscribed:
                self.assertIn(mailroom_name(name), near_subscribed)
            self.assertIn("Projekte/" + mutf7("Entwürfe"), near_subscribed)


if __name__ == "__main__":
    unittest.main()
