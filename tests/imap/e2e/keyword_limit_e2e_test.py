"""The bound on distinct keywords per mailbox (max_keywords_per_mailbox)
end to end: past it STORE, APPEND and COPY that would add a keyword get
NO [LIMIT] and change nothing, and PERMANENTFLAGS stops offering \\*
(RFC 3501 section 7.1, RFC 9051 section 7.1) once the mailbox is full."""

import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import message, untagged


def permanent_flags(lines):
    return [l for l in lines if "[PERMANENTFLAGS" in l][-1]


class KeywordLimitTest(e2e_base.ImapTestCase):
    SERVER_ARGS = {
        "allow_plaintext_auth": True,
        "extra_flags": ["--max_keywords_per_mailbox=3"],
    }

    def test_store_past_the_bound(self):
        c, user = self.session()
        self.assertIn(" OK ", c.append("INBOX", message("one")))
        lines = c.ok("SELECT INBOX")
        self.assertTrue(permanent_flags(lines).endswith(
            "\\Draft \\*)] Flags permitted"), permanent_flags(lines))
        c.ok("STORE 1 +FLAGS (k1 k2 k3)")
        lines, tagged = c.command("STORE 1 +FLAGS (k4)")
        self.assertIn(" NO [LIMIT]", tagged)
        # Said before the tagged NO: no \* any more.
        self.assertNotIn("\\*", permanent_flags(lines))
        lines = c.ok("FETCH 1 FLAGS")
        self.assertIn("* 1 FETCH (FLAGS (\\Recent k1 k2 k3))", lines)
        # Known keywords still change, in any case; removing is never refused.
        c.ok("STORE 1 -FLAGS (K1 k4)")
        c.ok("STORE 1 +FLAGS (k1)")
        # A new session sees a full mailbox at SELECT.
        d, _ = self.session(user)
        lines = d.ok("SELECT INBOX")
        self.assertNotIn("\\*", permanent_flags(lines))
        self.assertIn("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft"
                      " k1 k2 k3)", lines)

    def test_append_and_copy_past_the_bound(self):
        c, _ = self.session()
        c.ok("CREATE Full")
        self.assertIn(" OK ", c.append("Full", message("f"), "a b c"))
        self.assertIn(" NO [LIMIT]", c.append("Full", message("g"), "d"))
        self.assertIn(" OK ", c.append("Full", message("h"), "b"))
        self.assertIn(" OK ", c.append("INBOX", message("i"), "z"))
        c.ok("SELECT INBOX")
        _, tagged = c.command("COPY 1 Full")
        self.assertIn(" NO [LIMIT]", tagged)
        _, tagged = c.command("MOVE 1 Full")
        self.assertIn(" NO [LIMIT]", tagged)
        lines = c.ok("STATUS Full (MESSAGES)")
        self.assertIn("* STATUS Full (MESSAGES 2)", lines)
        self.assertIn("* 1 EXISTS", c.ok("SELECT INBOX"))

    def test_room_comes_back_when_no_message_carries_a_keyword(self):
        c, _ = self.session()
        self.assertIn(" OK ", c.append("INBOX", message("one"), "a b c"))
        c.ok("SELECT INBOX")
        c.ok("STORE 1 FLAGS ()")
        c.ok("STORE 1 +FLAGS (x y z)")
        self.assertIn("* 1 FETCH (FLAGS (\\Recent x y z))", c.ok("FETCH 1 FLAGS"))


if __name__ == "__main__":
    unittest.main()
