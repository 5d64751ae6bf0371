"""IMAP end to end: CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 section 4).

PARTIAL paging of SEARCH and SORT results, and live results: a session
keeps SEARCH/SORT ... RETURN (UPDATE) contexts while another session of the
same user appends, changes flags and expunges; the first one learns how its
results moved from ESEARCH ADDTO and REMOVEFROM, sent with the EXISTS,
EXPUNGE and FETCH updates. CANCELUPDATE ends a context, NOUPDATE refuses one
past imap.max_search_contexts, and UNSELECT ends them all."""

import re
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import untagged


def mail(subject, size):
    return ("From: a@example.com\r\nSubject: %s\r\n\r\n%s\r\n" %
            (subject, "x" * size)).encode()


def ordered_set(numbers):
    """A sequence-set keeping the order; ascending runs become ranges."""
    parts, i = [], 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        parts.append(str(numbers[i]) if i == j else
                     "%d:%d" % (numbers[i], numbers[j]))
        i = j + 1
    return ",".join(parts)


class ContextTestBase(e2e_base.ImapTestCase):

    def setUp(self):
        super().setUp()
        self.watcher, user = self.session()
        self.other, _ = self.session(user)
        # Size order by sequence number: 3, 1, 4, 5, 2.
        for subject, size in (("a", 200), ("b", 900), ("c", 10), ("d", 300),
                              ("e", 400)):
            self.other.append("INBOX", mail(subject, size))
        self.watcher.ok("SELECT INBOX")
        self.other.ok("SELECT INBOX")
        lines = self.watcher.ok("UID SEARCH ALL")
        self.uid = {i + 1: int(u) for i, u in
                    enumerate(untagged(lines, "SEARCH")[0].split()[2:])}

    def start(self, client, command):
        """Runs `command` under a known tag; returns (tag, lines)."""
        tag = client.next_tag()
        lines, tagged = client.command(command, tag=tag)
        self.assertIn(" OK ", tagged, (command, lines))
        return tag, lines

    def updates(self, lines, tag):
        return [l for l in untagged(lines, "ESEARCH")
                if l.startswith('* ESEARCH (TAG "%s")' % tag)]


class PartialTest(ContextTestBase):

    def test_capabilities(self):
        caps = untagged(self.watcher.ok("CAPABILITY"), "CAPABILITY")[0]
        for cap in (" ESORT", " CONTEXT=SEARCH", " CONTEXT=SORT"):
            self.assertIn(cap, caps)

    def test_sort_pages(self):
        tag, lines = self.start(self.watcher,
                                "SORT RETURN (PARTIAL 2:4) (SIZE) UTF-8 ALL")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") PARTIAL (2:4 1,4:5)' % tag])
        tag, lines = self.start(
            self.watcher, "SORT RETURN (COUNT PARTIAL 4:50) (SIZE) UTF-8 ALL")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") COUNT 5 PARTIAL (4:50 5,2)' %
                          tag])
        tag, lines = self.start(
            self.watcher, "UID SORT RETURN (PARTIAL 1:1) (REVERSE SIZE) "
            "UTF-8 ALL")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") UID PARTIAL (1:1 %d)' %
                          (tag, self.uid[2])])

    def test_search_pages_and_empty_page(self):
        tag, lines = self.start(self.watcher,
                                "SEARCH RETURN (PARTIAL 2:3) NOT 3")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") PARTIAL (2:3 2,4)' % tag])
        tag, lines = self.start(self.watcher,
                                "SEARCH RETURN (PARTIAL 6:9) ALL")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") PARTIAL (6:9 NIL)' % tag])

    def test_bad_ranges(self):
        for bad in ("PARTIAL 0:3", "PARTIAL 5:2", "PARTIAL", "PARTIAL x:2",
                    "PARTIAL 1:2 PARTIAL 3:4", "PARTIAL -1:-5"):
            _, tagged = self.watcher.command("SEARCH RETURN (%s) ALL" % bad)
            self.assertIn(" BAD ", tagged, bad)
            _, tagged = self.watcher.command(
                "SORT RETURN (%s) (SIZE) UTF-8 ALL" % bad)
            self.assertIn(" BAD ", tagged, bad)
        self.watcher.ok("NOOP")


class UpdateTest(ContextTestBase):

    def test_search_context_follows_other_session(self):
        tag, lines = self.start(self.watcher,
                                "UID SEARCH RETURN (UPDATE) FLAGGED")
        # UPDATE alone still gives the result the updates apply to: empty.
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") UID' % tag])
        u = self.uid
        self.other.ok("UID STORE %d +FLAGS (\\Flagged)" % u[2])
        lines = self.watcher.ok("NOOP")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") UID ADDTO (0 %d)' %
                          (tag, u[2])])
        # New mail that matches: EXISTS, then ADDTO.
        self.assertIn("OK", self.other.append("INBOX", mail("f", 5),
                                              flags="\\Flagged"))
        lines = self.watcher.ok("NOOP")
        self.assertIn("* 6 EXISTS", lines)
        added = self.updates(lines, tag)
        self.assertEqual(len(added), 1, lines)
        new_uid = int(re.search(r"ADDTO \(0 (\d+)\)", added[0]).group(1))
        self.assertGreater(new_uid, u[5])
        self.assertLess(lines.index("* 6 EXISTS"), lines.index(added[0]))
        # Our own flag change counts too.
        lines = self.watcher.ok("UID STORE %d +FLAGS (\\Flagged)" % u[4])
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") UID ADDTO (0 %d)' %
                          (tag, u[4])])
        self.other.ok("UID STORE %d -FLAGS (\\Flagged)" % u[2])
        lines = self.watcher.ok("NOOP")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") UID REMOVEFROM (0 %d)' %
                          (tag, u[2])])
        # Expunge: REMOVEFROM before the EXPUNGE.
        self.other.ok("UID STORE %d +FLAGS (\\Deleted)" % new_uid)
        self.other.ok("EXPUNGE")
        lines = self.watcher.ok("NOOP")
        removed = ['* ESEARCH (TAG "%s") UID REMOVEFROM (0 %d)' %
                   (tag, new_uid)]
        self.assertEqual(self.updates(lines, tag), removed)
        self.assertIn("* 6 EXPUNGE", lines)
        self.assertLess(lines.index(removed[0]), lines.index("* 6 EXPUNGE"))
        # Nothing changed: nothing said.
        self.assertEqual(self.updates(self.watcher.ok("NOOP"), tag), [])

    def test_sequence_number_search_context(self):
        tag, lines = self.start(self.watcher,
                                "SEARCH RETURN (COUNT UPDATE) SEEN")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") COUNT 0' % tag])
        self.other.ok("STORE 2,4 +FLAGS (\\Seen)")
        lines = self.watcher.ok("NOOP")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") ADDTO (0 2,4)' % tag])
        # Message 1 goes: message 4 is number 3 afterwards.
        self.other.ok("STORE 1 +FLAGS (\\Deleted)")
        self.other.ok("EXPUNGE")
        self.watcher.ok("NOOP")
        self.other.ok("STORE 4 -FLAGS (\\Seen)")  # old number 5: not in
        self.other.ok("STORE 3 -FLAGS (\\Seen)")  # old number 4
        lines = self.watcher.ok("NOOP")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") REMOVEFROM (0 3)' % tag])

    def test_sort_context_positions(self):
        u = self.uid
        tag, lines = self.start(
            self.watcher, "UID SORT RETURN (UPDATE) (SIZE) UTF-8 UNDELETED")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") UID ALL %s' %
                          (tag, ordered_set([u[3], u[1], u[4], u[5], u[2]]))])
        # 350 bytes: after d (300) and before e (400), so position 4.
        self.assertIn("OK", self.other.append("INBOX", mail("f", 350)))
        lines = self.watcher.ok("NOOP")
        added = self.updates(lines, tag)
        self.assertEqual(len(added), 1, lines)
        new_uid = int(re.search(r"ADDTO \(4 (\d+)\)$", added[0]).group(1))
        # d (position 3) is deleted: it leaves the UNDELETED result.
        self.other.ok("UID STORE %d +FLAGS (\\Deleted)" % u[4])
        lines = self.watcher.ok("NOOP")
        self.assertEqual(self.updates(lines, tag),
                         ['* ESEARCH (TAG "%s") UID REMOVEFROM (3 %d)' %
                          (tag, u[4])])
        # Two at once: b (last, 900) goes, a 1-byte one comes first.
        self.other.ok("UID STORE %d +FLAGS (\\Deleted)" % u[2])
        self.assertIn("OK", self.other.append("INBOX", mail("g", 1)))
        lines = self.watcher.ok("NOOP")
        found = self.updates(lines, tag)
        self.assertEqual(len(found), 1, lines)
        self.assertTrue(re.fullmatch(
            r'\* ESEARCH \(TAG "%s"\) UID REMOVEFROM \(5 %d\) ADDTO \(1 \d+\)'
            % (tag, u[2]), found[0]), found[0])
        # The client's list now: g c a f e; the page agrees.
        tag2, lines = self.start(
            self.watcher, "UID SORT RETURN (PARTIAL 2:4) (SIZE) UTF-8 "
            "UNDELETED")
        self.assertEqual(self.updates(lines, tag2),
                         ['* ESEARCH (TAG "%s") UID PARTIAL (2:4 %s)' %
                          (tag2, ordered_set([u[3], u[1], new_uid]))])

    def test_cancelupdate(self):
        tag, _ = self.start(self.watcher, "UID SEARCH RETURN (UPDATE) SEEN")
        tag2, _ = self.start(self.watcher,
                             "UID SORT RETURN (UPDATE) (SIZE) UTF-8 SEEN")
        _, tagged = self.watcher.command('CANCELUPDATE "%s" "nosuch"' % tag)
        self.assertIn(" BAD ", tagged)
        _, tagged = self.watcher.command("CANCELUPDATE %s" % tag)  # unquoted
        self.assertIn(" BAD ", tagged)
        self.watcher.ok('CANCELUPDATE "%s"' % tag)
        self.other.ok("STORE 1 +FLAGS (\\Seen)")
        lines = self.watcher.ok("NOOP")
        self.assertEqual(self.updates(lines, tag), [])
        self.assertEqual(len(self.updates(lines, tag2)), 1, lines)

    def test_unselect_ends_contexts(self):
        tag, _ = self.start(self.watcher, "UID SEARCH RETURN (UPDATE) SEEN")
        self.watcher.ok("UNSELECT")
        _, tagged = self.watcher.command('CANCELUPDATE "%s"' % tag)
        self.assertIn(" BAD ", tagged)
        self.watcher.ok("SELECT INBOX")
        self.other.ok("STORE 1 +FLAGS (\\Seen)")
        lines = self.watcher.ok("NOOP")
        self.assertEqual(untagged(lines, "ESEARCH"), [])


class LimitTest(ContextTestBase):
    SERVER_ARGS = {
        "allow_plaintext_auth": True,
        "extra_flags": ("--plugin_options=imap.max_search_contexts=2",),
    }

    def test_noupdate_over_the_limit(self):
        first, _ = self.start(self.watcher, "SEARCH RETURN (UPDATE) SEEN")
        second, _ = self.start(self.watcher, "SEARCH RETURN (UPDATE) FLAGGED")
        third, lines = self.start(self.watcher,
                                  "SEARCH RETURN (COUNT UPDATE) ALL")
        # The search is still answered; only the updates are refused.
        self.assertEqual(self.updates(lines, third),
                         ['* ESEARCH (TAG "%s") COUNT 5' % third])
        self.assertTrue(any(l.startswith('* OK [NOUPDATE "%s"]' % third)
                            for l in lines), lines)
        # Reusing a live context's tag replaces it, within the limit.
        _, lines = self.watcher.command("SEARCH RETURN (UPDATE) DELETED",
                                        tag=first)
        self.assertFalse(any("NOUPDATE" in l for l in lines), lines)
        self.other.ok("STORE 3 +FLAGS (\\Seen \\Flagged)")
        lines = self.watcher.ok("NOOP")
        self.assertEqual(self.updates(lines, first), [])
        self.assertEqual(self.updates(lines, second),
                         ['* ESEARCH (TAG "%s") ADDTO (0 3)' % second])
        self.assertEqual(self.updates(lines, third), [])


if __name__ == "__main__":
    unittest.main()
