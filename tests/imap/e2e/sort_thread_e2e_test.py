"""IMAP end to end: SORT, UID SORT, SORT=DISPLAY, THREAD ORDEREDSUBJECT and
REFERENCES, UID THREAD, with imaplib and raw commands."""

import imaplib
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.e2e_base import PASSWORD


def mail(sender, to, subject, date, msgid, refs=None, cc=None, body="x"):
    lines = ["From: %s" % sender, "To: %s" % to, "Subject: %s" % subject,
             "Message-ID: <%s>" % msgid]
    if date:
        lines.append("Date: %s" % date)
    if cc:
        lines.append("Cc: %s" % cc)
    if refs:
        lines.append("References: %s" % " ".join("<%s>" % r for r in refs))
        lines.append("In-Reply-To: <%s>" % refs[-1])
    return ("\r\n".join(lines) + "\r\n\r\n" + body + "\r\n").encode()


MESSAGES = [
    # 1: a thread start
    mail("Zoe <zoe@example.com>", "bob@example.com", "Plans",
         "Mon, 7 Feb 1994 21:52:25 -0800", "1@x"),
    # 2: reply to 1, sent earlier in UTC than 3
    mail("alice@example.com", "Carl <carl@example.com>", "Re: Plans",
         "Tue, 8 Feb 1994 10:00:00 +0000", "2@x", refs=["1@x"],
         cc="dave@example.com", body="a much longer body " * 20),
    # 3: unrelated, no Date: (falls back to the internal date, today)
    mail("Mallory <bob@example.com>", "amy@example.com", "[list] Budget",
         None, "3@x"),
    # 4: reply to 2 naming the whole chain
    mail("carol@example.com", "zed@example.com", "RE: Re: plans",
         "Wed, 9 Feb 1994 08:00:00 +0100", "4@x", refs=["1@x", "2@x"]),
    # 5: replies to a message not in the mailbox
    mail("bob@example.com", "amy@example.com", "Fwd: Budget",
         "Tue, 8 Feb 1994 09:00:00 +0000", "5@x", refs=["gone@x"]),
]


class SortThreadTest(e2e_base.ImapTestCase):

    def setUp(self):
        super().setUp()
        self.imap = imaplib.IMAP4(self.server.host, self.server.imap_port)
        self.imap.login(self.new_user(), PASSWORD)
        for m in MESSAGES:
            self.imap.append("INBOX", None, None, m)
        self.imap.select("INBOX")

    def tearDown(self):
        self.imap.logout()
        super().tearDown()

    def test_capabilities(self):
        caps = self.imap.capabilities
        for cap in ("SORT", "SORT=DISPLAY", "THREAD=ORDEREDSUBJECT",
                    "THREAD=REFERENCES"):
            self.assertIn(cap, caps)

    def sort(self, criteria, *search):
        typ, data = self.imap.sort(criteria, "UTF-8", *(search or ("ALL",)))
        self.assertEqual(typ, "OK")
        return data[0].decode()

    def test_sort_keys(self):
        self.assertEqual(self.sort("(FROM)"), "2 3 5 4 1")
        self.assertEqual(self.sort("(REVERSE FROM)"), "1 4 3 5 2")
        self.assertEqual(self.sort("(DATE)"), "1 5 2 4 3")
        # Appended in order: arrival times never decrease, ties by number.
        self.assertEqual(self.sort("(ARRIVAL)"), "1 2 3 4 5")
        self.assertEqual(self.sort("(SUBJECT DATE)"), "5 3 1 2 4")
        self.assertEqual(self.sort("(REVERSE SIZE)").split()[0], "2")
        self.assertEqual(self.sort("(TO)"), "3 5 1 2 4")
        # CC: messages without Cc sort first (empty string).
        self.assertEqual(self.sort("(CC)"), "1 3 4 5 2")
        self.assertEqual(self.sort("(DISPLAYFROM)"), "2 5 4 3 1")
        # "amy@example.com" < "bob@example.com" < "Carl" < "zed@..."
        self.assertEqual(self.sort("(DISPLAYTO)"), "3 5 1 2 4")
        # Same base subject "Budget": ties by sequence number.
        self.assertEqual(self.sort("(SUBJECT)", "FROM", "bob"), "3 5")

    def test_uid_sort_and_errors(self):
        self.imap.store("1", "+FLAGS", "(\\Deleted)")
        self.imap.expunge()
        typ, data = self.imap.uid("SORT", "(FROM)", "UTF-8", "ALL")
        self.assertEqual(data[0].decode(), "2 3 5 4")
        self.assertEqual(self.sort("(FROM)"), "1 2 4 3")
        with self.assertRaises(imaplib.IMAP4.error):
            self.imap.sort("(NOSUCHKEY)", "UTF-8", "ALL")
        typ, data = self.imap.sort("(FROM)", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO")

    def test_thread(self):
        typ, data = self.imap.thread("ORDEREDSUBJECT", "UTF-8", "ALL")
        self.assertEqual(typ, "OK")
        # Budget: 5 (Feb 8 09:00), 3 (today); Plans: 1, 2, 4.
        self.assertEqual(data[0].decode(), "(1 (2)(4))(5 3)")
        typ, data = self.imap.thread("REFERENCES", "UTF-8", "ALL")
        # 5 replies to a missing message and shares the base subject of 3,
        # which is not a reply: 5 becomes a child of 3.
        self.assertEqual(data[0].decode(), "(1 2 4)(3 5)")
        typ, data = self.imap.thread("REFERENCES", "UTF-8", "NOT", "FROM",
                                     "alice")
        self.assertEqual(data[0].decode(), "(1 4)(3 5)")

    def test_uid_thread(self):
        self.imap.store("2", "+FLAGS", "(\\Deleted)")
        self.imap.expunge()
        typ, data = self.imap.uid("THREAD", "REFERENCES", "UTF-8", "ALL")
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0].decode(), "(1 4)(3 5)")
        with self.assertRaises(imaplib.IMAP4.error):
            self.imap.thread("NOSUCHALGO", "UTF-8", "ALL")


if __name__ == "__main__":
    unittest.main()
