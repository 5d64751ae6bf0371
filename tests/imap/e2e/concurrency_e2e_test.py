"""IMAP end to end with several sessions on one mailbox: EXISTS, EXPUNGE
and FETCH FLAGS reach the others (at their next command, at once in IDLE),
no EXPUNGE during FETCH/STORE/SEARCH, and CONDSTORE/QRESYNC resync gives the
same state as a full sync."""

import re
import socket
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import message, untagged

_FETCH = re.compile(r"^\* \d+ FETCH \(UID (\d+) FLAGS \(([^)]*)\)")


def flags_by_uid(lines):
    out = {}
    for l in lines:
        m = _FETCH.match(l)
        if m:
            # \Recent is the session's, not part of a client's cache.
            out[int(m.group(1))] = sorted(
                f for f in m.group(2).split() if f != "\\Recent")
    return out


class ConcurrencyTest(e2e_base.ImapTestCase):

    def two_sessions(self, messages=0):
        a, user = self.session()
        for i in range(messages):
            a.append("INBOX", message("m%d" % i))
        b, _ = self.session(user)
        a.ok("SELECT INBOX")
        b.ok("SELECT INBOX")
        return a, b

    def test_changes_reach_the_other_session_at_next_command(self):
        a, b = self.two_sessions(3)
        a.ok("STORE 1 +FLAGS (\\Flagged)")
        a.append("INBOX", message("new"))
        a.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        a.ok("EXPUNGE")
        lines = b.ok("NOOP")
        self.assertIn("* 1 FETCH (FLAGS (\\Flagged))", lines)
        self.assertIn("* 2 EXPUNGE", lines)
        self.assertTrue(untagged(lines, "4 EXISTS") or untagged(lines, "3 EXISTS"))
        lines = b.ok("FETCH 1:* (UID)")
        self.assertEqual([l for l in lines if l.startswith("* ")],
                         ["* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)",
                          "* 3 FETCH (UID 4)"])

    def test_fetch_answers_with_other_sessions_flags(self):
        a, b = self.two_sessions(2)
        a.ok("STORE 1 +FLAGS.SILENT (\\Flagged)")
        a.append("INBOX", message("new"))
        lines = b.ok("FETCH 1:* (UID FLAGS)")
        replies = [l for l in lines if l.startswith("* ")]
        # The new message is announced before a FETCH names it, and the
        # FETCH itself carries the flag another session just set.
        exists = replies.index("* 3 EXISTS")
        third = [i for i, l in enumerate(replies)
                 if l.startswith("* 3 FETCH (UID 3")]
        self.assertTrue(third and exists < third[0], replies)
        self.assertIn("* 1 FETCH (UID 1 FLAGS (\\Flagged))", replies)

    def test_no_expunge_during_fetch_store_search(self):
        a, b = self.two_sessions(3)
        a.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        a.ok("EXPUNGE")
        for cmd in ["FETCH 1:* (FLAGS)", "STORE 1 +FLAGS (\\Seen)",
                    "SEARCH ALL"]:
            lines = b.ok(cmd)
            self.assertEqual(untagged(lines, "2 EXPUNGE"), [], cmd)
        lines = b.ok("UID SEARCH ALL")  # UID commands may carry it
        lines += b.ok("NOOP")
        self.assertEqual(untagged(lines, "2 EXPUNGE"), ["* 2 EXPUNGE"])

    def test_idle_woken_by_append_and_store(self):
        a, b = self.two_sessions(1)
        b.send("i1 IDLE\r\n")
        self.assertTrue(b.read_response_line().startswith("+"))
        a.append("INBOX", message("wake up"))
        line = b.read_response_line()
        while "EXISTS" not in line:
            line = b.read_response_line()
        self.assertEqual(line, "* 2 EXISTS")
        a.ok("STORE 1 +FLAGS (\\Answered)")
        line = b.read_response_line()
        while "FETCH" not in line:
            line = b.read_response_line()
        self.assertEqual(line, "* 1 FETCH (FLAGS (\\Answered))")
        a.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        a.ok("EXPUNGE")
        line = b.read_response_line()
        while "EXPUNGE" not in line:
            line = b.read_response_line()
        self.assertEqual(line, "* 2 EXPUNGE")
        b.send("DONE\r\n")
        self.assertTrue(b.collect("i1")[1].startswith("i1 OK"))

    def test_three_sessions_see_each_other(self):
        a, b = self.two_sessions(1)
        c, _ = self.session()
        # c is another user: it must not see anything.
        c.ok("SELECT INBOX")
        a.ok("STORE 1 +FLAGS (\\Seen)")
        self.assertIn("* 1 FETCH (FLAGS (\\Seen))", b.ok("NOOP"))
        self.assertEqual(untagged(c.ok("NOOP"), "1 FETCH"), [])
        b.ok("STORE 1 -FLAGS (\\Seen)")
        # a selected first: the message is \Recent there.
        self.assertIn("* 1 FETCH (FLAGS (\\Recent))", a.ok("NOOP"))

    def test_condstore_unchangedsince_conflict(self):
        a, b = self.two_sessions(2)
        lines = a.ok("FETCH 1 (MODSEQ)")
        modseq = int(re.search(r"MODSEQ \((\d+)\)",
                               untagged(lines, "1 FETCH")[0]).group(1))
        b.ok("STORE 1 +FLAGS (\\Flagged)")
        _, tagged = a.command("STORE 1 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)"
                              % modseq)
        self.assertIn("[MODIFIED 1]", tagged)
        lines = a.ok("STORE 2 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % (modseq + 100))
        self.assertTrue(any("MODSEQ" in l for l in untagged(lines, "2 FETCH")))

    def test_qresync_gives_same_state_as_full_sync(self):
        a, user = self.session()
        for i in range(6):
            a.append("INBOX", message("q%d" % i))
        a.ok("ENABLE QRESYNC")
        lines = a.ok("SELECT INBOX")
        uidvalidity = int(re.search(r"UIDVALIDITY (\d+)", "\n".join(lines)).group(1))
        modseq = int(re.search(r"HIGHESTMODSEQ (\d+)", "\n".join(lines)).group(1))
        cache = flags_by_uid(a.ok("UID FETCH 1:* (FLAGS)"))
        a.ok("LOGOUT")
        # Another client changes things while this one is away.
        b, _ = self.session(user)
        b.ok("SELECT INBOX")
        b.ok("STORE 1,4 +FLAGS (\\Seen)")
        b.ok("STORE 2:3 +FLAGS.SILENT (\\Deleted)")
        b.ok("EXPUNGE")
        b.append("INBOX", message("arrived"))
        # Resync with QRESYNC.
        c, _ = self.session(user)
        c.ok("ENABLE QRESYNC")
        lines = c.ok("SELECT INBOX (QRESYNC (%d %d 1:6))" % (uidvalidity, modseq))
        vanished = untagged(lines, "VANISHED (EARLIER) ")
        self.assertEqual(vanished, ["* VANISHED (EARLIER) 2:3"])
        for uid in (2, 3):
            cache.pop(uid)
        cache.update(flags_by_uid(lines))
        full = flags_by_uid(c.ok("UID FETCH 1:* (FLAGS)"))
        self.assertEqual(cache, full)
        # And CHANGEDSINCE + VANISHED on an open mailbox.
        lines = c.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % modseq)
        self.assertEqual(untagged(lines, "VANISHED (EARLIER) "),
                         ["* VANISHED (EARLIER) 2:3"])
        self.assertEqual(sorted(flags_by_uid(lines)), [1, 4, 7])

    def test_vanished_replaces_expunge_under_qresync(self):
        a, b = self.two_sessions(2)
        b.ok("ENABLE QRESYNC")
        a.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        a.ok("EXPUNGE")
        lines = b.ok("NOOP")
        self.assertIn("* VANISHED 1", lines)
        self.assertEqual(untagged(lines, "1 EXPUNGE"), [])


if __name__ == "__main__":
    unittest.main()
