"""IMAP end to end: mailbox commands (CREATE with USE, DELETE, RENAME,
SUBSCRIBE, LIST with its extensions, LSUB, STATUS), modified UTF-7 and
UTF8=ACCEPT names, NAMESPACE, ID, ENABLE, ACL and QUOTA."""

import imaplib
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.e2e_base import PASSWORD
from tests.imap.e2e.imap_client import message, untagged


class MailboxTest(e2e_base.ImapTestCase):

    def test_create_delete_rename(self):
        c, _ = self.session()
        c.ok("CREATE Projects/Alpha")
        self.assertIn("NO [ALREADYEXISTS]", c.command("CREATE Projects/Alpha")[1])
        self.assertIn("NO", c.command("DELETE INBOX")[1])
        c.ok("RENAME Projects/Alpha Projects/Beta")
        lines = c.ok('LIST "" "Projects/*"')
        self.assertEqual(untagged(lines, "LIST"),
                         ['* LIST (\\HasNoChildren) "/" Projects/Beta'])
        c.ok("DELETE Projects/Beta")
        self.assertIn("NO [NONEXISTENT]", c.command("DELETE Projects/Beta")[1])
        self.assertIn("NO [NONEXISTENT]", c.command("SELECT Nowhere")[1])

    def test_create_special_use_and_list_special_use(self):
        c, _ = self.session()
        c.ok("CREATE MySent (USE (\\Sent))")
        lines = c.ok('LIST (SPECIAL-USE) "" "*"')
        names = [l for l in untagged(lines, "LIST") if "\\Sent" in l]
        self.assertTrue(any(l.endswith(" MySent") for l in names), lines)
        lines = c.ok('LIST "" "%" RETURN (SPECIAL-USE)')
        self.assertTrue(any("\\Trash" in l for l in untagged(lines, "LIST")))

    def test_list_children_subscribed_recursivematch_status(self):
        c, _ = self.session()
        c.append("INBOX", message("one"))
        c.ok("CREATE Work/Reports")
        c.ok("SUBSCRIBE Work/Reports")
        lines = c.ok('LIST "" "%"')
        work = [l for l in untagged(lines, "LIST") if l.endswith(" Work")]
        self.assertIn("\\HasChildren", work[0])
        lines = c.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
        self.assertTrue(any(l.endswith('Work ("CHILDINFO" ("SUBSCRIBED"))')
                            for l in untagged(lines, "LIST")), lines)
        lines = c.ok('LIST (SUBSCRIBED) "" "*"')
        sub = [l for l in untagged(lines, "LIST") if "Work/Reports" in l]
        self.assertIn("\\Subscribed", sub[0])
        lines = c.ok('LIST "" "INBOX" RETURN (STATUS (MESSAGES UNSEEN SIZE))')
        st = untagged(lines, "STATUS")[0]
        self.assertRegex(st, r"^\* STATUS INBOX \(MESSAGES 1 UNSEEN 1 SIZE \d+\)$")
        lines = c.ok('LSUB "" "*"')
        self.assertIn('* LSUB () "/" Work/Reports', lines)
        c.ok("UNSUBSCRIBE Work/Reports")
        lines = c.ok('LSUB "" "Work/*"')
        self.assertEqual(untagged(lines, "LSUB"), [])
        lines = c.ok('LIST "" ""')
        self.assertEqual(untagged(lines, "LIST"), ['* LIST (\\Noselect) "/" ""'])

    def test_status_items(self):
        c, _ = self.session()
        c.append("INBOX", message("a"), flags="\\Seen")
        c.append("INBOX", message("b"), flags="\\Deleted")
        lines = c.ok("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN "
                     "DELETED SIZE RECENT HIGHESTMODSEQ)")
        st = untagged(lines, "STATUS")[0]
        self.assertRegex(st, r"MESSAGES 2 UIDNEXT 3 UIDVALIDITY \d+ UNSEEN 1 "
                             r"DELETED 1 SIZE \d+ RECENT 2 HIGHESTMODSEQ \d+")
        self.assertIn("BAD", c.command("STATUS INBOX (BOGUS)")[1])

    def test_modified_utf7_and_utf8_accept(self):
        c, user = self.session()
        c.ok('CREATE "Entw&APw-rfe"')
        lines = c.ok('LIST "" "Entw*"')
        self.assertEqual(untagged(lines, "LIST"),
                         ['* LIST (\\HasNoChildren) "/" Entw&APw-rfe'])
        self.assertIn("NO", c.command('CREATE "bad&name"')[1])
        d, _ = self.session(user)
        d.ok("ENABLE UTF8=ACCEPT")
        lines = d.ok('LIST "" "Entw*"')
        self.assertEqual(untagged(lines, "LIST"),
                         ['* LIST (\\HasNoChildren) "/" "Entwürfe"'])
        # imaplib (IMAP4rev1) sees the encoded name.
        m = imaplib.IMAP4(self.server.host, self.server.imap_port)
        m.login(user, PASSWORD)
        typ, data = m.list('""', "Entw*")
        self.assertIn(b"Entw&APw-rfe", data[0])
        m.logout()

    def test_namespace_id_enable(self):
        c, _ = self.session()
        lines = c.ok("NAMESPACE")
        self.assertEqual(untagged(lines, "NAMESPACE"),
                         ['* NAMESPACE (("" "/")) (("Other Users/" "/")) '
                          '(("Shared/" "/"))'])
        lines = c.ok('ID ("name" "e2e" "version" "1")')
        self.assertTrue(untagged(lines, "ID")[0].startswith('* ID ("name"'))
        lines = c.ok("ENABLE CONDSTORE X-UNKNOWN")
        self.assertEqual(untagged(lines, "ENABLED"), ["* ENABLED CONDSTORE"])

    def test_acl_shared_mailbox(self):
        owner, owner_name = self.session()
        other, other_name = self.session()
        owner.ok("CREATE Helpdesk")
        lines = owner.ok("MYRIGHTS Helpdesk")
        # With the virtual c (k held) and d (x, t or e held) of RFC 4314
        # section 2.1.1.
        self.assertEqual(untagged(lines, "MYRIGHTS"),
                         ["* MYRIGHTS Helpdesk lrswipkxteacd"])
        owner.ok("SETACL Helpdesk %s lrswi" % other_name)
        lines = owner.ok("GETACL Helpdesk")
        acl = untagged(lines, "ACL")[0]
        self.assertIn("%s lrswi" % other_name, acl)
        owner.ok("SETACL Helpdesk %s +te" % other_name)
        acl = untagged(owner.ok("GETACL Helpdesk"), "ACL")[0]
        self.assertIn("%s lrswited" % other_name, acl)
        owner.ok("SETACL Helpdesk %s -w" % other_name)
        lines = owner.ok("LISTRIGHTS Helpdesk %s" % other_name)
        self.assertEqual(untagged(lines, "LISTRIGHTS"),
                         ['* LISTRIGHTS Helpdesk %s "" l r s w i p k x t e a '
                          'c d' % other_name])
        shared = "Other Users/%s/Helpdesk" % owner_name
        lines = other.ok('LIST "" "Other Users/*"')
        self.assertTrue(any(l.endswith(shared) or l.endswith('"%s"' % shared)
                            for l in untagged(lines, "LIST")), lines)
        # LISTRIGHTS needs `a` (RFC 4314 section 4).
        _, tagged = other.command('LISTRIGHTS "%s" %s' % (shared, owner_name))
        self.assertIn(" NO [NOPERM] ", tagged)
        other.ok('SELECT "%s"' % shared)
        owner.ok("DELETEACL Helpdesk %s" % other_name)
        self.assertIn("NO", other.command('STATUS "%s" (MESSAGES)' % shared)[1])

    def test_quota(self):
        c, _ = self.session()
        c.append("INBOX", message("q"))
        lines = c.ok("GETQUOTAROOT INBOX")
        self.assertEqual(untagged(lines, "QUOTAROOT"), ['* QUOTAROOT INBOX ""'])
        self.assertEqual(len(untagged(lines, "QUOTA ")), 1)
        lines = c.ok('GETQUOTA ""')
        self.assertTrue(untagged(lines, "QUOTA ")[0].startswith('* QUOTA "" ('))
        self.assertIn("NO", c.command('GETQUOTA "nonesuch"')[1])


if __name__ == "__main__":
    unittest.main()
