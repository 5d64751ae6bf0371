"""Oversized commands are refused while parsing, with a BAD naming the
limit, and the session goes on: a SEARCH with 300,000 keys, criteria nested
100,000 deep, sequence sets past the element budget, flag and FETCH lists
past their bounds. The limits are plugin options (imap.max_*)."""

import unittest

from tests.imap.e2e.e2e_base import ImapTestCase
from tests.imap.e2e.imap_client import message

# Lines and commands long enough for every command below, so the per-command
# limits (not the line or command length) are what refuse them.
BIG_LINE = "--max_line_bytes=%d" % (8 * 1024 * 1024)
BIG_COMMAND = "--max_command_bytes=%d" % (8 * 1024 * 1024)


class CommandCostTest(ImapTestCase):
    SERVER_ARGS = {"allow_plaintext_auth": True, "extra_flags": [BIG_LINE, BIG_COMMAND]}

    def selected(self):
        client, _ = self.session()
        for i in range(3):
            self.assertIn(" OK", client.append("INBOX", message("m%d" % i)))
        client.ok("SELECT INBOX")
        return client

    def assertBad(self, client, command, what):
        _, tagged = client.command(command)
        self.assertIn(" BAD ", tagged)
        self.assertIn(what, tagged)

    def assertStillWorks(self, client):
        client.ok("NOOP")
        lines = client.ok("SEARCH ALL")
        self.assertIn("* SEARCH 1 2 3", lines)

    def test_three_hundred_thousand_keys(self):
        client = self.selected()
        for verb in ("SEARCH", "UID SEARCH", "SEARCH RETURN (COUNT)",
                     "SORT (DATE) UTF-8", "THREAD REFERENCES UTF-8"):
            self.assertBad(client, verb + " " + " ".join(["ALL"] * 300000),
                           "too many search keys (limit 1000)")
        self.assertStillWorks(client)

    def test_deep_nesting(self):
        client = self.selected()
        self.assertBad(client, "SEARCH " + "NOT " * 100000 + "ALL",
                       "nested too deeply")
        self.assertBad(client, "SEARCH " + "(" * 100000 + "ALL" + ")" * 100000,
                       "nested too deeply")
        self.assertBad(client, "SEARCH " + "OR ALL " * 100000 + "ALL",
                       "nested too deeply")
        self.assertStillWorks(client)

    def test_giant_sequence_sets(self):
        client = self.selected()
        giant = ",".join(str(n) for n in range(1, 200001))
        self.assertBad(client, "FETCH %s FLAGS" % giant, "sequence set")
        self.assertBad(client, "SEARCH UID %s" % giant, "sequence set")
        # Many sets each under the per-set bound still share one budget.
        part = ",".join(str(n) for n in range(1, 1001))
        self.assertBad(client, "SEARCH " + " ".join(["UID " + part] * 150),
                       "too many sequence set elements")
        self.assertStillWorks(client)

    def test_flag_and_fetch_lists(self):
        client = self.selected()
        flags = " ".join("k%d" % i for i in range(2000))
        self.assertBad(client, "STORE 1 +FLAGS (%s)" % flags, "too many flags")
        self.assertBad(client, "STORE 1 +FLAGS %s" % flags, "too many flags")
        attrs = " ".join(["UID"] * 2000)
        self.assertBad(client, "FETCH 1 (%s)" % attrs,
                       "too many fetch attributes")
        self.assertBad(client, 'LIST "" "%s"' % ("*" * 5000),
                       "mailbox pattern too long")
        lines = client.ok("FETCH 1 FLAGS")
        self.assertFalse(any("k1" in l for l in lines))
        self.assertStillWorks(client)


class ConfiguredLimitsTest(ImapTestCase):
    SERVER_ARGS = {
        "allow_plaintext_auth": True,
        "extra_flags": [
            "--plugin_options=imap.max_search_keys=4,imap.max_flags=2,"
            "imap.max_fetch_attributes=2,imap.max_list_pattern_bytes=10"],
    }

    def test_settings_apply(self):
        client, _ = self.session()
        self.assertIn(" OK", client.append("INBOX", message("one")))
        client.ok("SELECT INBOX")
        client.ok("SEARCH SEEN UNSEEN ALL ALL")
        _, tagged = client.command("SEARCH SEEN UNSEEN ALL ALL ALL")
        self.assertIn("BAD too many search keys (limit 4)", tagged)
        client.ok("STORE 1 +FLAGS (a b)")
        _, tagged = client.command("STORE 1 +FLAGS (a b c)")
        self.assertIn("BAD too many flags (limit 2)", tagged)
        _, tagged = client.command("FETCH 1 (UID FLAGS RFC822.SIZE)")
        self.assertIn("BAD too many fetch attributes (limit 2)", tagged)
        client.ok('LIST "" "0123456789"')
        _, tagged = client.command('LIST "" "0123456789*"')
        self.assertIn("BAD mailbox pattern too long (limit 10)", tagged)
        client.ok("NOOP")


if __name__ == "__main__":
    unittest.main()
