"""IMAP end to end: what IMAP4rev1 clients rely on and compliance suites
check. \\Recent across sessions (RFC 3501 sections 2.3.2, 6.3.1, 6.3.2,
6.3.10, 6.4.4), FLAGS before new keywords (7.2.6), address search and sort
(RFC 5256, 5957), ESEARCH with CONDSTORE (RFC 4731, 7162), LIST-EXTENDED
CHILDINFO (RFC 5258) and LSUB (RFC 3501 section 6.3.9), and NOTIFY's BAD
responses (RFC 5465)."""

import re
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import message, untagged


def fetch_flags(lines):
    """{seq: set of flags} from FETCH responses with FLAGS."""
    out = {}
    for l in lines:
        m = re.match(r"\* (\d+) FETCH \(.*FLAGS \(([^)]*)\)", l)
        if m:
            out[int(m.group(1))] = set(m.group(2).split())
    return out


def search_numbers(lines):
    for l in lines:
        if l.startswith("* SEARCH"):
            return [int(n) for n in l.split()[2:] if n.isdigit()]
    return None


def raw(headers, body="body"):
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


class RecentTest(e2e_base.ImapTestCase):

    def test_examine_shows_recent_without_taking_it_select_takes_it(self):
        c, _ = self.session()
        c.append("INBOX", message("one"))
        c.append("INBOX", message("two"))
        lines = c.ok("EXAMINE INBOX")
        self.assertIn("* 2 RECENT", lines)
        self.assertEqual(fetch_flags(c.ok("FETCH 1:2 FLAGS")),
                         {1: {"\\Recent"}, 2: {"\\Recent"}})
        c.ok("CLOSE")
        self.assertIn("* STATUS INBOX (MESSAGES 2 RECENT 2)",
                      c.ok("STATUS INBOX (MESSAGES RECENT)"))
        lines = c.ok("SELECT INBOX")
        self.assertIn("* 2 RECENT", lines)
        c.ok("STORE 1 +FLAGS (\\Seen)")
        self.assertEqual(search_numbers(c.ok("SEARCH RECENT")), [1, 2])
        self.assertEqual(search_numbers(c.ok("SEARCH NEW")), [2])
        self.assertEqual(search_numbers(c.ok("SEARCH OLD")), [])
        self.assertEqual(search_numbers(c.ok("SEARCH NOT RECENT")), [])
        c.ok("CLOSE")
        self.assertIn("* STATUS INBOX (RECENT 0)", c.ok("STATUS INBOX (RECENT)"))
        lines = c.ok("SELECT INBOX")
        self.assertIn("* 0 RECENT", lines)
        self.assertEqual(search_numbers(c.ok("SEARCH OLD")), [1, 2])
        self.assertEqual(search_numbers(c.ok("SEARCH RECENT")), [])
        self.assertEqual(fetch_flags(c.ok("FETCH 2 FLAGS")), {2: set()})

    def test_a_new_message_is_recent_in_exactly_one_of_two_sessions(self):
        a, user = self.session()
        b, _ = self.session(user)
        writer, _ = self.session(user)
        a.ok("SELECT INBOX")
        b.ok("SELECT INBOX")
        writer.append("INBOX", message("new"))
        recent_in = []
        for c in (a, b):
            lines = c.ok("NOOP")
            self.assertIn("* 1 EXISTS", lines)
            if "\\Recent" in fetch_flags(c.ok("FETCH 1 FLAGS"))[1]:
                recent_in.append(c)
                self.assertIn("* 1 RECENT", lines)
            else:
                self.assertIn("* 0 RECENT", lines)
        self.assertEqual(len(recent_in), 1)
        self.assertIn("* STATUS INBOX (RECENT 0)",
                      writer.ok("STATUS INBOX (RECENT)"))

    def test_copy_into_a_selected_mailbox_is_recent_there(self):
        src, user = self.session()
        dst, _ = self.session(user)
        src.ok("CREATE Box")
        dst.ok("SELECT Box")
        src.append("INBOX", message("a"))
        src.ok("SELECT INBOX")
        src.ok("COPY 1 Box")
        lines = dst.ok("NOOP")
        self.assertIn("* 1 EXISTS", lines)
        self.assertIn("* 1 RECENT", lines)
        self.assertIn("\\Recent", fetch_flags(dst.ok("FETCH 1 FLAGS"))[1])

    def test_imap4rev2_sessions_see_no_recent(self):
        c, _ = self.session()
        c.append("INBOX", message("a"))
        c.ok("ENABLE IMAP4rev2")
        lines = c.ok("SELECT INBOX")
        self.assertEqual(untagged(lines, "0 RECENT") + untagged(lines, "1 RECENT"), [])
        self.assertEqual(fetch_flags(c.ok("FETCH 1 FLAGS")), {1: set()})


class KeywordAnnouncementTest(e2e_base.ImapTestCase):

    def index_of(self, lines, prefix):
        for i, l in enumerate(lines):
            if l.startswith(prefix):
                return i
        return -1

    def test_own_store_announces_flags_before_fetch(self):
        c, _ = self.session()
        c.append("INBOX", message("a"))
        lines = c.ok("SELECT INBOX")
        self.assertNotIn("$Hello", " ".join(untagged(lines, "FLAGS")))
        lines = c.ok("STORE 1 +FLAGS ($Hello)")
        flags = self.index_of(lines, "* FLAGS (")
        fetch = self.index_of(lines, "* 1 FETCH")
        self.assertGreaterEqual(flags, 0, lines)
        self.assertIn("$Hello", lines[flags])
        self.assertLess(flags, fetch)
        self.assertIn("$Hello", " ".join(untagged(lines, "OK [PERMANENTFLAGS")))
        # Known now: not announced again.
        lines = c.ok("STORE 1 -FLAGS ($Hello)")
        lines = c.ok("STORE 1 +FLAGS ($Hello)")
        self.assertEqual(untagged(lines, "FLAGS ("), [])

    def test_silent_store_still_announces_the_keyword(self):
        c, _ = self.session()
        c.append("INBOX", message("a"))
        c.ok("SELECT INBOX")
        lines = c.ok("STORE 1 +FLAGS.SILENT ($Quiet)")
        self.assertIn("$Quiet", " ".join(untagged(lines, "FLAGS (")))

    def test_keyword_set_by_another_session(self):
        a, user = self.session()
        b, _ = self.session(user)
        a.append("INBOX", message("a"))
        a.ok("SELECT INBOX")
        b.ok("SELECT INBOX")
        b.ok("STORE 1 +FLAGS ($Other)")
        lines = a.ok("NOOP")
        flags = self.index_of(lines, "* FLAGS (")
        fetch = self.index_of(lines, "* 1 FETCH")
        self.assertGreaterEqual(flags, 0, lines)
        self.assertIn("$Other", lines[flags])
        self.assertLess(flags, fetch)


class AddressTest(e2e_base.ImapTestCase):

    MESSAGES = [
        ["From: user-from@domain.org", "To: user-to@domain.org",
         "Cc: user-cc@domain.org", "Bcc: user-bcc@domain.org"],
        ["From: <user-from (comment)@ (comment) domain.org>",
         "To: <user-to (c)@ domain.org>", "Cc: <user-cc @domain.org>",
         "Bcc: <user-bcc@ (c) domain.org>"],
        ["From: other@domain.org",
         "To: groupname: groupuser1@domain.org, groupuser2@domain.org;"],
    ]

    def test_address_keys_match_addresses_written_with_comments(self):
        c, _ = self.session()
        for headers in self.MESSAGES:
            c.append("INBOX", raw(headers))
        c.ok("SELECT INBOX")
        for key in ("FROM user-from@domain.org", "TO user-to@domain.org",
                    "CC user-cc@domain.org", "BCC user-bcc@domain.org"):
            self.assertEqual(search_numbers(c.ok("SEARCH " + key)), [1, 2], key)
        self.assertEqual(search_numbers(c.ok("SEARCH TO groupuser2")), [3])
        self.assertEqual(search_numbers(c.ok("SEARCH TO groupname")), [3])
        self.assertEqual(search_numbers(c.ok("SEARCH FROM ser-fro")), [1, 2])

    def test_sort_uses_the_first_address_as_the_envelope_gives_it(self):
        c, _ = self.session()
        # RFC 5256: a group's first "address" is its name (no host).
        for headers in (["From: user2@domain2.org", "To: foo bar <user2@domain2.org>",
                         "Cc: user2@domain2.org (foo bar)"],
                        ["From: user2@domain1.org", "To: user2@domain1.org",
                         "Cc: user2: blah@domain1.org;"],
                        ["From: user1@domain1.org", "To: user1@domain1.org",
                         "Cc: user1@domain1.org"]):
            c.append("INBOX", raw(headers))
        c.ok("SELECT INBOX")
        for key in ("FROM", "TO", "CC"):
            self.assertIn("* SORT 3 1 2", c.ok("SORT (%s) US-ASCII ALL" % key), key)
            self.assertIn("* SORT 1 2 3",
                          c.ok("SORT (REVERSE %s) US-ASCII ALL" % key), key)

    def test_sort_display_uses_group_names(self):
        c, _ = self.session()
        for to in ("foo bar <a@b.c>", "b@c.d", "d", "=?iso-8859-1?q?foo_aar?= <e@f.g>",
                   "=?iso-8859-1?q?foo_car?= <f@g.h>", "a: xx@xx.org, yy@yy.org;",
                   "z: aa@aa.org, bb@bb.org;", "empty:;"):
            c.append("INBOX", raw(["To: " + to, "From: " + to]))
        c.ok("SELECT INBOX")
        self.assertIn("* SORT 6 2 3 8 4 1 5 7",
                      c.ok("SORT (DISPLAYTO) US-ASCII ALL"))
        self.assertIn("* SORT 7 5 1 4 8 3 2 6",
                      c.ok("SORT (REVERSE DISPLAYTO) US-ASCII ALL"))
        self.assertIn("* SORT 6 2 3 8 4 1 5 7",
                      c.ok("SORT (DISPLAYFROM) US-ASCII ALL"))


class EsearchModseqTest(e2e_base.ImapTestCase):

    def test_min_max_report_the_modseq_of_the_returned_messages(self):
        c, _ = self.session()
        for i in range(4):
            c.append("INBOX", message("m%d" % i))
        c.ok("SELECT INBOX")
        # The first CONDSTORE enabling command tells HIGHESTMODSEQ.
        lines = c.ok("FETCH 1 MODSEQ")
        highest = [l for l in lines if l.startswith("* OK [HIGHESTMODSEQ ")]
        self.assertEqual(len(highest), 1, lines)
        self.assertEqual(untagged(c.ok("FETCH 1 MODSEQ"), "OK [HIGHESTMODSEQ"), [])
        modseq = {}
        for seq in (1, 3, 2, 4):
            lines = c.ok("STORE %d +FLAGS (\\Seen)" % seq)
            m = re.search(r"MODSEQ \((\d+)\)", " ".join(lines))
            modseq[seq] = int(m.group(1))
        self.assertGreater(modseq[2], modseq[3])

        def esearch(text):
            lines = c.ok("SEARCH RETURN %s" % text)
            return [l for l in lines if l.startswith("* ESEARCH")][0]

        self.assertTrue(esearch('(MIN) 1:3 MODSEQ 1').endswith(
            "MIN 1 MODSEQ %d" % modseq[1]))
        self.assertTrue(esearch('(MAX) 1:3 MODSEQ 1').endswith(
            "MAX 3 MODSEQ %d" % modseq[3]))
        self.assertTrue(esearch('(MIN MAX) 2:3 MODSEQ 1').endswith(
            "MIN 2 MAX 3 MODSEQ %d" % modseq[2]))
        self.assertTrue(esearch('() 1:3 MODSEQ 1').endswith(
            "ALL 1:3 MODSEQ %d" % modseq[2]))
        self.assertTrue(esearch('(COUNT) 1:3 MODSEQ 1').endswith(
            "COUNT 3 MODSEQ %d" % modseq[2]))
        self.assertTrue(esearch('(MIN) 1:3 MODSEQ "/flags/\\\\seen" all 1').endswith(
            "MIN 1 MODSEQ %d" % modseq[1]))


class ListSubscribedTest(e2e_base.ImapTestCase):

    def test_childinfo_only_for_children_that_are_not_listed(self):
        c, _ = self.session()
        for name in ("B/t2/t1", "B/t7/t7", "B/t8/t8", "B/t8/t9"):
            c.ok("CREATE " + name)
            c.ok("SUBSCRIBE " + name)
        lines = c.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" B/t2')
        self.assertIn('* LIST (\\HasChildren) "/" B/t2 ("CHILDINFO" ("SUBSCRIBED"))',
                      lines)
        # The subscribed child is listed itself: no CHILDINFO for the parent.
        lines = c.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" (B/t2 B/t2/t1)')
        self.assertEqual([l for l in lines if "CHILDINFO" in l], [])
        self.assertIn('* LIST (\\HasNoChildren \\Subscribed) "/" B/t2/t1', lines)
        lines = c.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" B*t7')
        self.assertEqual([l for l in lines if l.endswith('"/" B/t7') or
                          '"/" B/t7 (' in l], [])
        self.assertIn('* LIST (\\HasNoChildren \\Subscribed) "/" B/t7/t7', lines)
        lines = c.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" B*t8')
        self.assertIn('* LIST (\\HasChildren) "/" B/t8 ("CHILDINFO" ("SUBSCRIBED"))',
                      lines)
        # A subscribed parent with a subscribed child the pattern stops at
        # keeps \Subscribed and carries CHILDINFO (RFC 5258 section 3.5 table).
        c.ok("SUBSCRIBE B/t8")
        lines = c.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" B/%')
        self.assertIn('* LIST (\\HasChildren \\Subscribed) "/" B/t8 '
                      '("CHILDINFO" ("SUBSCRIBED"))', lines)

    def test_lsub_returns_unsubscribed_parents_as_noselect(self):
        c, _ = self.session()
        for name in ("M/test", "M/test2/test", "M/test3/test3"):
            c.ok("CREATE " + name)
            c.ok("SUBSCRIBE " + name)
        # M/test2 exists (created as a parent) but is not subscribed.
        lines = c.ok('LSUB "" M/%')
        self.assertIn('* LSUB () "/" M/test', lines)
        self.assertIn('* LSUB (\\Noselect) "/" M/test2', lines)
        self.assertIn('* LSUB (\\Noselect) "/" M/test3', lines)
        self.assertEqual(untagged(lines, 'LSUB (\\Noselect) "/" M/test2/'), [])
        lines = c.ok('LSUB "" *test')
        self.assertIn('* LSUB () "/" M/test2/test', lines)
        self.assertEqual(untagged(lines, 'LSUB (\\Noselect)'), [])
        c.ok("UNSUBSCRIBE M/test3/test3")
        lines = c.ok('LSUB "" M/%')
        self.assertEqual(untagged(lines, 'LSUB (\\Noselect) "/" M/test3'), [])


class NotifyBadTest(e2e_base.ImapTestCase):

    def test_bad_notify_keeps_the_session_and_the_previous_notify(self):
        c, _ = self.session()
        c.ok("CREATE Other")
        c.ok("NOTIFY SET (SELECTED (MessageNew MessageExpunge))")
        for bad in ("NOTIFY SET (MAILBOXES Other (MessageExpunge))",
                    "NOTIFY SET (MAILBOXES Other (MessageNew))",
                    "NOTIFY SET (MAILBOXES Other (FlagChange))",
                    "NOTIFY SET (SELECTED (MailboxName))",
                    "NOTIFY SET (NOSUCHFILTER (MessageNew MessageExpunge))",
                    "NOTIFY SET (MAILBOXES Other (MessageNew MessageExpunge)"):
            lines, tagged = c.command(bad)
            self.assertRegex(tagged, r"^t\d+ BAD ", bad)
            lines = c.ok("NOOP")
        lines = c.ok("SELECT INBOX")
        self.assertIn("OK", lines[-1])
        c.ok("NOTIFY NONE")


if __name__ == "__main__":
    unittest.main()
