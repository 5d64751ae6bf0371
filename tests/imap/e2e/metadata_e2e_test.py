"""IMAP METADATA (RFC 5464) end to end over a real mailroomd: the RFC's
examples, literal and literal8 values, MAXSIZE and DEPTH, entry-name
errors (BAD), rights of another user (RFC 4314), the [METADATA ...] codes
of the configured limits, RENAME and DELETE, and NOTIFY's
MailboxMetadataChange / ServerMetadataChange events between sessions."""

import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import untagged

MAX_ENTRY = 4096
MAX_ENTRIES = 6


class MetadataTest(e2e_base.ImapTestCase):

    SERVER_ARGS = {
        "allow_plaintext_auth": True,
        "extra_flags": ("--metadata_max_entry_bytes=%d" % MAX_ENTRY,
                        "--metadata_max_entries=%d" % MAX_ENTRIES),
    }

    def metadata(self, client, command):
        """Runs a command that must succeed; returns its METADATA lines and
        its tagged line."""
        lines, tagged = client.command(command)
        self.assertRegex(tagged, r"^\S+ OK", command)
        return untagged(lines, "METADATA "), tagged

    def tagged(self, client, command):
        return client.command(command)[1]

    def read_until(self, client, needle):
        while True:
            line = client.read_response_line()
            if needle in line:
                return line

    # ---- capability and the RFC's examples -----------------------------------
    def test_capability(self):
        c, _ = self.session()
        caps = untagged(c.ok("CAPABILITY"), "CAPABILITY")[0].split()
        self.assertIn("METADATA", caps)
        self.assertIn("METADATA-SERVER", caps)

    def test_server_comment_example(self):
        self.server.ctl("metadata", "set", "", "", "/shared/comment",
                        "Shared comment")
        c, _ = self.session()
        lines, _ = self.metadata(c, 'GETMETADATA "" /shared/comment')
        self.assertEqual(lines,
                         ['* METADATA "" (/shared/comment "Shared comment")'])
        # Users read server entries but may not set the shared ones.
        self.assertIn("NO [NOPERM]", self.tagged(
            c, 'SETMETADATA "" (/shared/comment "mine")'))
        # Their own /private server entries they may.
        self.metadata(c, 'SETMETADATA "" (/private/vendor/test/x "1")')
        lines, _ = self.metadata(c, 'GETMETADATA "" /private/vendor/test/x')
        self.assertEqual(lines, ['* METADATA "" (/private/vendor/test/x "1")'])

    def test_multiline_literal_and_nil(self):
        c, _ = self.session()
        value = b"My new comment across\r\ntwo lines.\r\n"
        self.assertEqual(len(value), 35)
        c.send(b"s1 SETMETADATA INBOX (/private/comment {%d}\r\n" % len(value))
        self.assertTrue(c.read_response_line().startswith("+"))
        c.send(value + b")\r\n")
        _, tagged = c.collect("s1")
        self.assertRegex(tagged, r"^s1 OK")
        lines, _ = self.metadata(c, "GETMETADATA INBOX /private/comment")
        self.assertEqual(lines, ['* METADATA INBOX (/private/comment {35}\r\n'
                                 + value.decode() + ")"])
        self.metadata(c, "SETMETADATA INBOX (/private/comment NIL)")
        lines, _ = self.metadata(c, "GETMETADATA INBOX /private/comment")
        self.assertEqual(lines, [])

    def test_several_entries_and_case(self):
        c, _ = self.session()
        self.metadata(c, 'SETMETADATA INBOX (/private/comment "My new comment"'
                         ' /Shared/Comment "This one is for you!")')
        lines, _ = self.metadata(
            c, 'GETMETADATA "INBOX" (/shared/comment /private/comment)')
        self.assertEqual(lines, [
            '* METADATA INBOX (/private/comment "My new comment" '
            '/shared/comment "This one is for you!")'])

    def test_maxsize_longentries(self):
        c, _ = self.session()
        self.metadata(c, 'SETMETADATA INBOX (/private/comment "My own comment")')
        c.send(b"s2 SETMETADATA INBOX (/shared/comment {2199+}\r\n"
               + b"x" * 2199 + b")\r\n")
        self.assertRegex(c.collect("s2")[1], r"^s2 OK")
        lines, tagged = self.metadata(
            c, 'GETMETADATA "INBOX" (MAXSIZE 1024) '
               '(/shared/comment /private/comment)')
        self.assertEqual(lines, [
            '* METADATA INBOX (/private/comment "My own comment")'])
        self.assertIn("OK [METADATA LONGENTRIES 2199]", tagged)

    def test_depth(self):
        c, _ = self.session()
        self.metadata(c, 'SETMETADATA INBOX ('
                         '/private/filters/values/small "SMALLER 5000" '
                         '/private/filters/values/boss '
                         '"FROM \\"boss@example.com\\"" '
                         '/private/filters/values/boss/x "deeper")')
        lines, _ = self.metadata(
            c, 'GETMETADATA "INBOX" (DEPTH 1) (/private/filters/values)')
        self.assertEqual(lines, [
            '* METADATA INBOX (/private/filters/values/boss '
            '"FROM \\"boss@example.com\\"" /private/filters/values/small '
            '"SMALLER 5000")'])
        lines, _ = self.metadata(
            c, 'GETMETADATA INBOX (DEPTH infinity MAXSIZE 100) /private')
        self.assertEqual(lines[0].count("/private/filters/values/"), 3)
        lines, _ = self.metadata(c, "GETMETADATA INBOX /private/filters/values")
        self.assertEqual(lines, [])

    def test_binary_value_as_literal8(self):
        c, _ = self.session()
        c.send(b"s3 SETMETADATA INBOX (/shared/blob ~{3+}\r\na\x00b)\r\n")
        self.assertRegex(c.collect("s3")[1], r"^s3 OK")
        c.send(b"s4 GETMETADATA INBOX /shared/blob\r\n")
        self.assertEqual(c.read_line(),
                         b"* METADATA INBOX (/shared/blob ~{3}")
        self.assertEqual(c.read_exactly(4), b"a\x00b)")
        self.assertRegex(c.collect("s4")[1], r"^s4 OK")

    # ---- errors ---------------------------------------------------------------
    def test_bad_entry_names_and_syntax(self):
        c, _ = self.session()
        for command in ['GETMETADATA INBOX "/shared/a*"',
                        'GETMETADATA INBOX /comment',
                        'GETMETADATA INBOX /shared//x',
                        'GETMETADATA INBOX /shared/x/',
                        'SETMETADATA INBOX (/shared "x")',
                        'GETMETADATA INBOX (DEPTH 2) /shared/x',
                        'GETMETADATA INBOX (FOO 1) /shared/x',
                        'SETMETADATA INBOX /shared/x "y"',
                        'SETMETADATA INBOX (/shared/x)']:
            self.assertIn(" BAD ", self.tagged(c, command), command)
        # Nothing was lost and the session goes on.
        c.ok("NOOP")
        self.assertIn("NO [NONEXISTENT]",
                      self.tagged(c, "GETMETADATA Nowhere /shared/comment"))

    def test_limits_answer_with_codes(self):
        c, _ = self.session()
        tagged = self.tagged(c, 'SETMETADATA INBOX (/shared/big "%s")'
                             % ("x" * (MAX_ENTRY + 1)))
        self.assertIn("NO [METADATA MAXSIZE %d]" % MAX_ENTRY, tagged)
        pairs = " ".join('/shared/e%d "v"' % i for i in range(MAX_ENTRIES))
        self.metadata(c, "SETMETADATA INBOX (%s)" % pairs)
        tagged = self.tagged(c, 'SETMETADATA INBOX (/private/one "more" '
                                '/shared/e0 NIL)')
        # Deleting one and adding one stays within the limit...
        self.assertRegex(tagged, r"^\S+ OK")
        # ...but one more is too many, and neither entry of it is set.
        tagged = self.tagged(c, 'SETMETADATA Sent (/shared/a "1" '
                                '/shared/b "2")')
        self.assertIn("NO [METADATA TOOMANY]", tagged)
        lines, _ = self.metadata(c, "GETMETADATA Sent (/shared/a /shared/b)")
        self.assertEqual(lines, [])

    # ---- rights ---------------------------------------------------------------
    def test_rights_of_another_user(self):
        owner, alice = self.session()
        other, bob = self.session()
        mbox = '"Other Users/%s/INBOX"' % alice
        self.metadata(owner, 'SETMETADATA INBOX (/shared/comment "for all")')
        # No rights: the mailbox does not exist for bob.
        self.assertIn("NO [NONEXISTENT]",
                      self.tagged(other, "GETMETADATA %s /shared/comment" % mbox))
        owner.ok("SETACL INBOX %s l" % bob)
        self.assertIn("NO [NOPERM]",
                      self.tagged(other, "GETMETADATA %s /private/x" % mbox))
        owner.ok("SETACL INBOX %s lr" % bob)
        lines, _ = self.metadata(other, "GETMETADATA %s /shared/comment" % mbox)
        self.assertEqual(len(lines), 1)
        self.assertIn('"for all"', lines[0])
        self.assertIn("NO [NOPERM]", self.tagged(
            other, 'SETMETADATA %s (/shared/comment "bob")' % mbox))
        # A private entry is bob's own: alice does not see it.
        self.metadata(other, 'SETMETADATA %s (/private/comment "bob\'s")' % mbox)
        lines, _ = self.metadata(owner, "GETMETADATA INBOX /private/comment")
        self.assertEqual(lines, [])
        owner.ok("SETACL INBOX %s lw" % bob)
        self.metadata(other, 'SETMETADATA %s (/shared/comment "bob")' % mbox)
        lines, _ = self.metadata(owner, "GETMETADATA INBOX /shared/comment")
        self.assertIn('"bob"', lines[0])

    # ---- lifecycle ------------------------------------------------------------
    def test_rename_keeps_and_delete_drops(self):
        c, _ = self.session()
        c.ok("CREATE Project")
        self.metadata(c, 'SETMETADATA Project (/shared/comment "p")')
        c.ok("RENAME Project Archive/Project")
        lines, _ = self.metadata(c, "GETMETADATA Archive/Project /shared/comment")
        self.assertEqual(lines, ['* METADATA Archive/Project '
                                 '(/shared/comment "p")'])
        c.ok("DELETE Archive/Project")
        c.ok("CREATE Archive/Project")
        lines, _ = self.metadata(c, "GETMETADATA Archive/Project /shared/comment")
        self.assertEqual(lines, [])

    # ---- NOTIFY (RFC 5465 sections 5.6 and 5.7) --------------------------------
    def test_notify_mailbox_metadata_change(self):
        changer, user = self.session()
        watcher, _ = self.session(user)
        watcher.ok("NOTIFY SET (personal (MailboxMetadataChange))")
        self.metadata(changer, 'SETMETADATA INBOX (/shared/comment "x" '
                               '/private/comment "y")')
        lines = [self.read_until(watcher, "* METADATA "),
                 self.read_until(watcher, "* METADATA ")]
        self.assertIn("* METADATA INBOX /shared/comment", lines)
        self.assertIn("* METADATA INBOX /private/comment", lines)
        # A deletion is announced too.
        self.metadata(changer, "SETMETADATA INBOX (/shared/comment NIL)")
        self.assertEqual(self.read_until(watcher, "* METADATA "),
                         "* METADATA INBOX /shared/comment")

    def test_notify_server_metadata_change(self):
        _, user = self.session()
        watcher, _ = self.session(user)
        watcher.ok("NOTIFY SET (personal (ServerMetadataChange))")
        self.server.ctl("metadata", "set", "", "", "/shared/motd", "hello")
        self.assertEqual(self.read_until(watcher, "* METADATA "),
                         '* METADATA "" /shared/motd')

    def test_notify_keeps_other_users_private_entries_private(self):
        owner, alice = self.session()
        other, bob = self.session()
        owner.ok("SETACL INBOX %s lr" % bob)
        owner.ok("NOTIFY SET (personal (MailboxMetadataChange))")
        mbox = '"Other Users/%s/INBOX"' % alice
        self.metadata(other, 'SETMETADATA %s (/private/comment "b")' % mbox)
        owner.ok("SETACL INBOX %s lrw" % bob)
        self.metadata(other, 'SETMETADATA %s (/shared/comment "s")' % mbox)
        # The first METADATA alice hears is the shared one.
        self.assertEqual(self.read_until(owner, "* METADATA "),
                         "* METADATA INBOX /shared/comment")


if __name__ == "__main__":
    unittest.main()
