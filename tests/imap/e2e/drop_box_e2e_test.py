"""RFC 4314 section 4 over IMAP: APPEND and COPY into a drop box keep only
the flags the sender's rights there grant (\\Seen needs s, \\Deleted t,
other flags and keywords w), so the owner finds no planted flags."""

import unittest

from tests.imap.e2e.e2e_base import ImapTestCase
from tests.imap.e2e.imap_client import message, untagged

PLANTED = "\\Seen \\Deleted \\Flagged $Spam"


class DropBoxTest(ImapTestCase):

    def owner_flags(self, owner, mailbox):
        owner.ok("SELECT %s" % mailbox)
        lines = owner.ok("FETCH 1:* FLAGS")
        # Without \Recent: the owner's session state, not a stored flag.
        return [" ".join(f for f in l.split("FLAGS (")[1].split(")")[0].split()
                         if f != "\\Recent")
                for l in untagged(lines, "") if "FETCH" in l]

    def drop_box(self, rights):
        owner, owner_name = self.session()
        sender, sender_name = self.session()
        owner.ok("CREATE Drop")
        owner.ok("SETACL Drop %s %s" % (sender_name, rights))
        return owner, sender, "\"Other Users/%s/Drop\"" % owner_name

    def test_insert_only_append_and_copy_carry_no_flags(self):
        owner, sender, drop = self.drop_box("i")
        self.assertIn(" OK", sender.append(drop, message("planted"), PLANTED))
        self.assertIn(" OK", sender.append("INBOX", message("mine"), PLANTED))
        sender.ok("SELECT INBOX")
        sender.ok("COPY 1 %s" % drop)
        # The sender's own copy keeps its flags.
        self.assertIn("\\Flagged", " ".join(sender.ok("FETCH 1 FLAGS")))
        self.assertEqual(self.owner_flags(owner, "Drop"), ["", ""])
        lines = owner.ok("STATUS Drop (UNSEEN)")
        self.assertIn("UNSEEN 2", " ".join(lines))

    def test_seen_right_keeps_only_seen(self):
        owner, sender, drop = self.drop_box("lrsi")
        self.assertIn(" OK", sender.append(drop, message("planted"), PLANTED))
        self.assertIn(" OK", sender.append("INBOX", message("mine"), PLANTED))
        sender.ok("SELECT INBOX")
        sender.ok("MOVE 1 %s" % drop)
        self.assertEqual(self.owner_flags(owner, "Drop"), ["\\Seen", "\\Seen"])

    def test_anyone_post_right(self):
        owner, sender, drop = self.drop_box("i")
        owner.ok("SETACL Drop anyone p")
        self.assertIn(" OK", sender.append(drop, message("planted"), PLANTED))
        self.assertEqual(self.owner_flags(owner, "Drop"), [""])


if __name__ == "__main__":
    unittest.main()
