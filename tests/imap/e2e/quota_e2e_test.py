"""IMAP QUOTA (RFC 9208) end to end: SETQUOTA by a quota admin (the plugin
setting quota_admins) and refused to others with NO [NOPERM]; the
QUOTASET and resource capabilities; NO [OVERQUOTA] on APPEND, COPY and
MOVE."""

import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import message, untagged

ADMIN = "qadmin"


class QuotaTest(e2e_base.ImapTestCase):
    SERVER_ARGS = {
        "allow_plaintext_auth": True,
        "extra_flags": ["--quota_admins=%s" % ADMIN],
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.add_user(ADMIN, e2e_base.PASSWORD)

    def admin(self):
        return self.session(ADMIN)[0]

    def test_capabilities(self):
        c, _ = self.session()
        caps = untagged(c.ok("CAPABILITY"), "CAPABILITY")[0].split()
        for cap in ["QUOTA", "QUOTASET", "QUOTA=RES-STORAGE",
                    "QUOTA=RES-MESSAGE"]:
            self.assertIn(cap, caps)

    def test_admin_sets_quota_of_a_user(self):
        user = self.new_user()
        a = self.admin()
        lines = a.ok('SETQUOTA "%s" (STORAGE 100 MESSAGE 5)' % user)
        self.assertIn('* QUOTA "%s" (STORAGE 0 100 MESSAGE 0 5)' % user, lines)
        c, _ = self.session(user)
        c.append("INBOX", message("x"))
        lines = c.ok('GETQUOTAROOT INBOX')
        quota = untagged(lines, "QUOTA ")[0]
        self.assertRegex(quota, r'^\* QUOTA "" \(STORAGE 1 100 MESSAGE 1 5\)$')
        # The admin reads it back by user name; an empty list removes limits.
        self.assertIn('* QUOTA "%s" (STORAGE 1 100 MESSAGE 1 5)' % user,
                      a.ok('GETQUOTA "%s"' % user))
        a.ok('SETQUOTA "%s" ()' % user)
        self.assertIn('* QUOTA "" ()', c.ok('GETQUOTA ""'))

    def test_admin_own_root_and_errors(self):
        a = self.admin()
        self.assertIn('* QUOTA "" (MESSAGE 0 7)', a.ok('SETQUOTA "" (MESSAGE 7)'))
        _, tagged = a.command('SETQUOTA "no-such-user" (MESSAGE 1)')
        self.assertIn(" NO [NONEXISTENT]", tagged)
        _, tagged = a.command('SETQUOTA "" (MAILBOX 1)')
        self.assertIn(" NO ", tagged)
        for bad in ['SETQUOTA "" STORAGE 1', 'SETQUOTA "" (STORAGE)',
                    'SETQUOTA "" (STORAGE x)', "SETQUOTA"]:
            _, tagged = a.command(bad)
            self.assertIn(" BAD ", tagged, bad)

    def test_non_admin_gets_noperm(self):
        c, user = self.session()
        _, tagged = c.command('SETQUOTA "" (STORAGE 1)')
        self.assertIn(" NO [NOPERM]", tagged)
        _, tagged = c.command('SETQUOTA "%s" (MESSAGE 1)' % ADMIN)
        self.assertIn(" NO [NOPERM]", tagged)
        self.assertEqual(untagged(c.ok('GETQUOTA ""'), "QUOTA ")[0],
                         '* QUOTA "" ()')

    def test_overquota_on_append_copy_move(self):
        owner, owner_name = self.session()
        self.admin().ok('SETQUOTA "%s" (MESSAGE 2)' % owner_name)
        self.assertIn(" OK ", owner.append("INBOX", message("1")))
        self.assertIn(" OK ", owner.append("INBOX", message("2")))
        self.assertIn(" NO [OVERQUOTA]", owner.append("INBOX", message("3")))
        owner.ok("SELECT INBOX")
        _, tagged = owner.command("COPY 1 Archive")
        self.assertIn(" NO [OVERQUOTA]", tagged)
        # MOVE into the full account from another user's mailbox.
        other, other_name = self.session()
        owner.ok("SETACL INBOX %s lrsie" % other_name)
        other.append("INBOX", message("mine"))
        other.ok("SELECT INBOX")
        _, tagged = other.command('MOVE 1 "Other Users/%s/INBOX"' % owner_name)
        self.assertIn(" NO [OVERQUOTA]", tagged)
        # Nothing moved: the message is still in the source.
        self.assertIn("* 1 FETCH (UID 1)", other.ok("FETCH 1 (UID)"))
        # Storage (in KiB) is enforced as well.
        self.admin().ok('SETQUOTA "%s" (STORAGE 1)' % owner_name)
        self.assertIn(" NO [OVERQUOTA]",
                      owner.append("Drafts", message("big", "x" * 4000)))


if __name__ == "__main__":
    unittest.main()
