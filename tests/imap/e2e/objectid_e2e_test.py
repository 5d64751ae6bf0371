"""IMAP end to end: OBJECTID (RFC 8474). MAILBOXID on CREATE, SELECT,
STATUS and LIST-STATUS, kept by RENAME and new after DELETE + CREATE;
EMAILID shared by COPY and MOVE copies; THREADID shared by a reply and its
root; SEARCH EMAILID / THREADID."""

import re
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import message, untagged

OBJECTID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def reply(subject, root_id, parent_id, own_id):
    return ("From: carol@example.com\r\nTo: alice@example.com\r\n"
            "Subject: Re: %s\r\nMessage-ID: <%s>\r\n"
            "In-Reply-To: <%s>\r\nReferences: <%s>\r\n <%s>\r\n\r\nreply\r\n"
            % (subject, own_id, parent_id, root_id, parent_id))


def root(subject, own_id):
    return ("From: bob@example.com\r\nTo: alice@example.com\r\n"
            "Subject: %s\r\nMessage-ID: <%s>\r\n\r\nfirst\r\n"
            % (subject, own_id))


class ObjectIdTest(e2e_base.ImapTestCase):

    def mailbox_id_of_select(self, c, name):
        lines = c.ok("SELECT %s" % name)
        ids = [m.group(1) for l in lines
               for m in [re.match(r"\* OK \[MAILBOXID \(([^)]*)\)\]", l)] if m]
        self.assertEqual(len(ids), 1, lines)
        return ids[0]

    def status_id(self, c, name):
        lines = c.ok("STATUS %s (MAILBOXID MESSAGES)" % name)
        m = re.search(r"MAILBOXID \(([^)]*)\)", untagged(lines, "STATUS")[0])
        self.assertTrue(m, lines)
        return m.group(1)

    def fetch_ids(self, c, seqs="1:*"):
        """{uid: (emailid, threadid)} of the selected mailbox."""
        out = {}
        for line in untagged(c.ok("FETCH %s (UID EMAILID THREADID)" % seqs),
                             ""):
            m = re.search(r"UID (\d+) EMAILID \(([^)]*)\) THREADID "
                          r"(?:\(([^)]*)\)|NIL)", line)
            if m:
                out[int(m.group(1))] = (m.group(2), m.group(3))
        return out

    def test_capability(self):
        c, _ = self.session()
        caps = untagged(c.ok("CAPABILITY"), "CAPABILITY")[0].split()
        self.assertIn("OBJECTID", caps)

    def test_mailboxid_create_select_status_list_rename(self):
        c, _ = self.session()
        lines, tagged = c.command("CREATE Projects")
        m = re.match(r"\S+ OK \[MAILBOXID \(([^)]*)\)\]", tagged)
        self.assertTrue(m, tagged)
        created = m.group(1)
        self.assertRegex(created, OBJECTID)
        self.assertEqual(self.mailbox_id_of_select(c, "Projects"), created)
        c.ok("UNSELECT")
        self.assertEqual(self.status_id(c, "Projects"), created)
        lines = c.ok('LIST "" "*" RETURN (STATUS (MAILBOXID))')
        self.assertTrue(any(re.match(r'\* STATUS "?Projects"? '
                                     r'\(MAILBOXID \(%s\)\)' % created, l)
                            for l in lines), lines)
        # RENAME keeps it; the other mailboxes have their own.
        c.ok("RENAME Projects Archive/Projects-2026")
        self.assertEqual(self.status_id(c, "Archive/Projects-2026"), created)
        self.assertNotEqual(self.status_id(c, "INBOX"), created)
        # DELETE and CREATE of the same name: a new mailbox, a new id.
        c.ok("DELETE Archive/Projects-2026")
        lines, tagged = c.command("CREATE Archive/Projects-2026")
        again = re.match(r"\S+ OK \[MAILBOXID \(([^)]*)\)\]", tagged).group(1)
        self.assertNotEqual(again, created)

    def test_mailboxids_differ_between_accounts(self):
        a, _ = self.session()
        b, _ = self.session()
        self.assertNotEqual(self.status_id(a, "INBOX"),
                            self.status_id(b, "INBOX"))

    def test_emailid_kept_by_copy_and_move(self):
        c, _ = self.session()
        c.append("INBOX", message("one"))
        c.append("INBOX", message("two"))
        c.ok("SELECT INBOX")
        inbox = self.fetch_ids(c)
        self.assertEqual(len(inbox), 2)
        (e1, t1), (e2, t2) = inbox[1], inbox[2]
        for value in (e1, e2, t1, t2):
            self.assertRegex(value, OBJECTID)
        self.assertNotEqual(e1, e2)
        self.assertNotEqual(t1, t2)
        c.ok("UID COPY 1 Archive")
        c.ok("UID MOVE 1 Trash")
        c.ok("SELECT Archive")
        self.assertEqual(self.fetch_ids(c)[1], (e1, t1))
        c.ok("SELECT Trash")
        self.assertEqual(self.fetch_ids(c)[1], (e1, t1))
        c.ok("SELECT INBOX")
        self.assertEqual(list(self.fetch_ids(c).values()), [(e2, t2)])
        # SEARCH EMAILID finds exactly that message.
        c.append("INBOX", message("three"))
        lines = c.ok("UID SEARCH EMAILID %s" % e2)
        self.assertEqual(untagged(lines, "SEARCH"), ["* SEARCH 2"])
        lines = c.ok("SEARCH EMAILID %s" % e1)  # not in this mailbox
        self.assertEqual(untagged(lines, "SEARCH"), ["* SEARCH"])

    def test_threadid_joins_replies(self):
        c, _ = self.session()
        c.append("INBOX", root("Plans", "root-1@example.com"))
        c.append("INBOX", message("unrelated"))
        c.append("INBOX", reply("Plans", "root-1@example.com",
                                "root-1@example.com", "r1@example.com"))
        c.append("INBOX", reply("Plans", "ROOT-1@example.com",
                                "r1@example.com", "r2@example.com"))
        c.ok("SELECT INBOX")
        ids = self.fetch_ids(c)
        self.assertEqual(ids[1][1], ids[3][1])
        self.assertEqual(ids[1][1], ids[4][1])
        self.assertNotEqual(ids[1][1], ids[2][1])
        lines = c.ok("UID SEARCH THREADID %s" % ids[3][1])
        self.assertEqual(untagged(lines, "SEARCH"), ["* SEARCH 1 3 4"])
        lines = c.ok("SEARCH NOT THREADID %s" % ids[3][1])
        self.assertEqual(untagged(lines, "SEARCH"), ["* SEARCH 2"])

    def test_bad_object_id_in_search(self):
        c, _ = self.session()
        c.append("INBOX", message("one"))
        c.ok("SELECT INBOX")
        _, tagged = c.command('SEARCH EMAILID "a.b"')
        self.assertRegex(tagged, r"^\S+ BAD")
        _, tagged = c.command("SEARCH THREADID")
        self.assertRegex(tagged, r"^\S+ BAD")
        c.ok("NOOP")  # the session goes on


if __name__ == "__main__":
    unittest.main()
