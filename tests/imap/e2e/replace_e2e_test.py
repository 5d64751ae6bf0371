"""IMAP end to end: REPLACE and UID REPLACE (RFC 8508): the RFC's example,
LITERAL+, another target mailbox, the error cases (message gone, no such
target, read-only, missing rights), and atomicity as another session sees
it."""

import re
import threading
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import message, untagged


def draft(n):
    return ("From: alice@example.com\r\nTo: bob@example.com\r\n"
            "Subject: draft %d\r\n\r\nversion %d\r\n" % (n, n))


class ReplaceTest(e2e_base.ImapTestCase):

    def replace(self, c, command, data):
        """Sends a REPLACE with a synchronizing literal; (lines, tagged)."""
        tag = c.next_tag()
        data = data.encode()
        c.send("%s %s {%d}\r\n" % (tag, command, len(data)))
        cont = c.read_response_line()
        if not cont.startswith("+"):
            return [cont], cont
        c.send(data + b"\r\n")
        return c.collect(tag)

    def messages(self, c, mailbox):
        line = untagged(c.ok("STATUS %s (MESSAGES)" % mailbox), "STATUS")[0]
        return int(re.search(r"MESSAGES (\d+)", line).group(1))

    def test_capability(self):
        c, _ = self.session()
        self.assertIn("REPLACE",
                      untagged(c.ok("CAPABILITY"), "CAPABILITY")[0].split())

    def test_rfc_example_same_mailbox(self):
        c, _ = self.session()
        for n in range(1, 5):
            c.append("Drafts", draft(n))
        c.ok("SELECT Drafts")
        lines, tagged = self.replace(c, "REPLACE 4 Drafts (\\Seen \\Draft)",
                                     draft(5))
        self.assertRegex(tagged, r"^\S+ OK")
        appenduid = [l for l in lines if "[APPENDUID" in l]
        self.assertEqual(len(appenduid), 1, lines)
        self.assertRegex(appenduid[0], r"^\* OK \[APPENDUID \d+ 5\]")
        expunge = lines.index("* 4 EXPUNGE")
        self.assertLess(lines.index(appenduid[0]), expunge)
        self.assertTrue(any(re.match(r"\* \d+ EXISTS", l) for l in lines))
        fetched = c.ok("UID FETCH 1:* (FLAGS BODY.PEEK[TEXT])")
        text = "\n".join(fetched)
        self.assertNotIn("version 4", text)
        self.assertIn("version 5", text)
        # The replacement arrived while this session had the mailbox
        # selected, so it is \Recent here (RFC 3501 section 2.3.2).
        self.assertIn("FETCH (UID 5 FLAGS (\\Seen \\Draft \\Recent)", text)

    def test_uid_replace_other_mailbox_literal_plus(self):
        c, _ = self.session()
        c.append("INBOX", draft(1))
        c.append("INBOX", draft(2))
        c.ok("SELECT INBOX")
        data = draft(3)
        lines, tagged = c.command("UID REPLACE 2 Drafts {%d+}\r\n%s" %
                                  (len(data), data))
        self.assertRegex(tagged, r"^\S+ OK")
        self.assertTrue(any(re.match(r"\* OK \[APPENDUID \d+ 1\]", l)
                            for l in lines), lines)
        self.assertIn("* 2 EXPUNGE", lines)
        self.assertEqual(self.messages(c, "Drafts"), 1)
        self.assertEqual(self.messages(c, "INBOX"), 1)

    def test_replace_with_catenate(self):
        # The new draft is built on the server from the old one's header and
        # a new text, as a client editing a draft with CATENATE would.
        c, _ = self.session()
        c.append("INBOX", draft(1))
        c.ok("SELECT INBOX")
        text = "version 2\r\n"
        lines, tagged = c.command(
            "UID REPLACE 1 INBOX CATENATE (URL \";UID=1/;SECTION=HEADER\" "
            "TEXT {%d+}\r\n%s)" % (len(text), text))
        self.assertRegex(tagged, r"^\S+ OK")
        self.assertTrue(any(re.match(r"\* OK \[APPENDUID \d+ 2\]", l)
                            for l in lines), lines)
        fetched = "\n".join(c.ok("UID FETCH 2 (BODY.PEEK[])"))
        self.assertIn("Subject: draft 1", fetched)
        self.assertIn("version 2", fetched)
        self.assertNotIn("version 1", fetched)
        self.assertEqual(self.messages(c, "INBOX"), 1)

    def test_qresync_gets_vanished(self):
        c, _ = self.session()
        c.append("INBOX", draft(1))
        c.ok("ENABLE QRESYNC")
        c.ok("SELECT INBOX")
        lines, tagged = self.replace(c, "UID REPLACE 1 INBOX", draft(2))
        self.assertRegex(tagged, r"^\S+ OK")
        self.assertIn("* VANISHED 1", lines)

    def test_gone_message_appends_nothing(self):
        c, _ = self.session()
        c.append("INBOX", draft(1))
        c.ok("SELECT INBOX")
        lines, tagged = self.replace(c, "UID REPLACE 99 Drafts", draft(2))
        self.assertRegex(tagged, r"^\S+ NO")
        _, tagged = self.replace(c, "REPLACE 7 Drafts", draft(2))
        self.assertRegex(tagged, r"^\S+ BAD")
        # Expunged by another session after this one saw it.
        other = self.connect()
        other.login(self.last_user, e2e_base.PASSWORD)
        other.ok("SELECT INBOX")
        other.ok("STORE 1 +FLAGS (\\Deleted)")
        other.ok("EXPUNGE")
        lines, tagged = self.replace(c, "UID REPLACE 1 Drafts", draft(3))
        self.assertRegex(tagged, r"^\S+ NO")
        self.assertEqual(self.messages(c, "Drafts"), 0)

    def session(self, user=None):
        c, user = super().session(user)
        self.last_user = user
        return c, user

    def test_no_such_target_keeps_the_original(self):
        c, _ = self.session()
        c.append("INBOX", draft(1))
        c.ok("SELECT INBOX")
        lines, tagged = self.replace(c, "UID REPLACE 1 Nowhere", draft(2))
        self.assertIn("NO [TRYCREATE]", tagged)
        self.assertNotIn("* 1 EXPUNGE", lines)
        self.assertEqual(self.messages(c, "INBOX"), 1)

    def test_read_only_and_rights(self):
        owner, owner_name = self.session()
        owner.ok("CREATE Team")
        owner.append("Team", draft(1))
        other, other_name = self.session()
        team = '"Other Users/%s/Team"' % owner_name
        # `i` is not enough: REPLACE also needs `t` and `e` on the source.
        owner.ok("SETACL Team %s lri" % other_name)
        other.ok("SELECT %s" % team)
        lines, tagged = self.replace(other, "UID REPLACE 1 %s" % team,
                                     draft(2))
        self.assertRegex(tagged, r"^\S+ NO")
        self.assertEqual(self.messages(owner, "Team"), 1)
        owner.ok("SETACL Team %s lrite" % other_name)
        other.ok("EXAMINE %s" % team)
        _, tagged = self.replace(other, "UID REPLACE 1 %s" % team, draft(2))
        self.assertIn("NO [READ-ONLY]", tagged)
        other.ok("SELECT %s" % team)
        _, tagged = self.replace(other, "UID REPLACE 1 %s" % team, draft(2))
        self.assertRegex(tagged, r"^\S+ OK")
        owner.ok("SELECT Team")
        self.assertIn("version 2", "\n".join(owner.ok("FETCH 1 BODY.PEEK[TEXT]")))

    def test_other_sessions_never_see_both_or_neither(self):
        c, user = self.session()
        c.append("Drafts", draft(0))
        c.ok("SELECT Drafts")
        observer = self.connect()
        observer.login(user, e2e_base.PASSWORD)
        seen = []
        done = threading.Event()

        def watch():
            while not done.is_set():
                seen.append(self.messages(observer, "Drafts"))

        thread = threading.Thread(target=watch)
        thread.start()
        try:
            for n in range(1, 41):
                _, tagged = self.replace(c, "REPLACE 1 Drafts", draft(n))
                self.assertRegex(tagged, r"^\S+ OK")
        finally:
            done.set()
            thread.join()
        self.assertTrue(seen)
        self.assertEqual(set(seen), {1})
        self.assertEqual(self.messages(c, "Drafts"), 1)


if __name__ == "__main__":
    unittest.main()
