"""Disconnected operation on a helpdesk queue (RFC 7162, RFC 4549): a client
caches UIDs, flags and modseqs, goes away while other sessions make
thousands of changes, and resyncs with QRESYNC. Applying VANISHED (EARLIER)
and the FETCH responses to its cache must give exactly what a full sync
gives. Also CHANGEDSINCE, UNCHANGEDSINCE conflicts ([MODIFIED]) and a
mailbox recreated under the same name (new UIDVALIDITY: full resync).
"""

import os
import random
import re
import threading
import unittest

from tests.helpdesk import helpdesk_base
from tests.helpdesk.helpdesk_base import address
from tests.helpdesk.imap_wire import (message, parse_fetch, parse_uid_set,
                                      response_code, status_of, uid_set)

SEEDED = 1500
QUEUE = "queue"

_UIDVALIDITY = re.compile(r"\[UIDVALIDITY (\d+)\]")
_HIGHESTMODSEQ = re.compile(r"\[HIGHESTMODSEQ (\d+)\]")
_VANISHED_EARLIER = re.compile(r"^\* VANISHED \(EARLIER\) (\S+)$")


def select_values(lines, pattern):
    for line in lines:
        m = pattern.search(line)
        if m:
            return int(m.group(1))
    raise AssertionError("no %s in %s" % (pattern.pattern, lines[:10]))


def stored(flags):
    """The flags a resync compares: \\Recent belongs to one session (RFC 3501
    section 2.3.2), not to the mailbox."""
    return frozenset(flags) - {"\\Recent"}


def full_sync(conn):
    """{uid: (flags, modseq)} of the selected mailbox."""
    cache = {}
    for line in conn.ok("UID FETCH 1:* (FLAGS MODSEQ)"):
        parsed = parse_fetch(line)
        if parsed:
            items = parsed[1]
            cache[items["UID"]] = (stored(items["FLAGS"]), items["MODSEQ"])
    return cache


def apply_resync(cache, lines):
    """Applies QRESYNC SELECT output to a copy of `cache`."""
    cache = dict(cache)
    for line in lines:
        m = _VANISHED_EARLIER.match(line)
        if m:
            for uid in parse_uid_set(m.group(1)):
                cache.pop(uid, None)
            continue
        parsed = parse_fetch(line)
        if parsed:
            items = parsed[1]
            cache[items["UID"]] = (stored(items["FLAGS"]), items["MODSEQ"])
    return cache


class QresyncResyncTest(helpdesk_base.HelpdeskTestCase):

    def seed(self, user, count, mailbox=QUEUE):
        """Imports `count` messages with mailroomctl (one transaction per
        batch, much faster than APPEND one by one)."""
        path = os.path.join(self.tmp.name, "seed-%s.mbox" % user)
        with open(path, "w") as f:
            for i in range(count):
                f.write("From customer@example.com Mon Feb  7 21:52:25 1994\n")
                f.write(message("ticket %d" % i).replace("\r\n", "\n"))
                f.write("\n")
        self.server.ctl("import", "mbox", path, "--user=" + user,
                        "--mailbox=" + mailbox)

    def synced_client(self, user):
        """A first sync with CONDSTORE: (uidvalidity, highestmodseq, cache,
        seq -> uid of the old view)."""
        conn = self.connect(user)
        lines = conn.ok("SELECT %s (CONDSTORE)" % QUEUE)
        uidvalidity = select_values(lines, _UIDVALIDITY)
        modseq = select_values(lines, _HIGHESTMODSEQ)
        cache = full_sync(conn)
        conn.ok("LOGOUT")
        conn.close()
        return uidvalidity, modseq, cache

    def test_resync_after_thousands_of_changes(self):
        user = self.new_user("q")
        self.seed(user, SEEDED)
        uidvalidity, modseq, cache = self.synced_client(user)
        self.assertEqual(len(cache), SEEDED)
        old_uids = sorted(cache)

        # Other sessions, at the same time: flag storms, expunges, moves out
        # and new deliveries.
        setup = self.connect(user)
        setup.ok("CREATE archive")
        # +detail deliveries reach a folder only when it grants `p` to
        # anyone; otherwise they go to INBOX.
        setup.ok("SETACL %s anyone p" % QUEUE)
        rng = random.Random(7)
        doomed = rng.sample(old_uids, 200)
        moved = rng.sample([u for u in old_uids if u not in doomed], 150)
        errors = []

        def flag_storm(seed):
            r = random.Random(seed)
            conn = self.connect(user)
            conn.ok("SELECT %s" % QUEUE)
            for _ in range(40):
                uids = r.sample(old_uids, 40)
                flag = r.choice(["\\Seen", "\\Flagged", "\\Answered",
                                 "$Assigned", "$Escalated"])
                sign = r.choice("+-")
                conn.ok("UID STORE %s %sFLAGS.SILENT (%s)" %
                        (uid_set(uids), sign, flag))

        def expunger():
            conn = self.connect(user)
            conn.ok("SELECT %s" % QUEUE)
            for i in range(0, len(doomed), 20):
                chunk = uid_set(doomed[i:i + 20])
                conn.ok("UID STORE %s +FLAGS.SILENT (\\Deleted)" % chunk)
                conn.ok("UID EXPUNGE %s" % chunk)

        def mover():
            conn = self.connect(user)
            conn.ok("SELECT %s" % QUEUE)
            for i in range(0, len(moved), 10):
                conn.ok("UID MOVE %s archive" % uid_set(moved[i:i + 10]))

        def deliverer():
            for i in range(60):
                refused = self.deliver([address(user, QUEUE)],
                                       message("late ticket %d" % i))
                if refused:
                    errors.append(refused)

        def guarded(fn, *args):
            def run():
                try:
                    fn(*args)
                except Exception as e:
                    errors.append(e)
            return threading.Thread(target=run)

        threads = [guarded(flag_storm, 1), guarded(flag_storm, 2),
                   guarded(expunger), guarded(mover), guarded(deliverer)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        self.assertEqual(errors, [])

        # Resync: known UIDs and a sample of the old sequence numbers.
        conn = self.connect(user)
        conn.ok("ENABLE QRESYNC")
        sample = list(range(1, len(old_uids) + 1, 97))
        seqs = ",".join(str(s) for s in sample)
        uids = ",".join(str(old_uids[s - 1]) for s in sample)
        lines = conn.ok("SELECT %s (QRESYNC (%d %d %s (%s %s)))" %
                        (QUEUE, uidvalidity, modseq, uid_set(old_uids),
                         seqs, uids))
        self.assertEqual(select_values(lines, _UIDVALIDITY), uidvalidity)
        self.assertGreater(select_values(lines, _HIGHESTMODSEQ), modseq)
        vanished = set()
        for line in lines:
            m = _VANISHED_EARLIER.match(line)
            if m:
                vanished.update(parse_uid_set(m.group(1)))
        resynced = apply_resync(cache, lines)
        truth = full_sync(conn)
        # Every expunge the client knew of is reported, and never a message
        # that is still there (a server may over-report gone UIDs).
        self.assertLessEqual(set(doomed) | set(moved), vanished)
        self.assertEqual(vanished & set(truth), set())
        self.assertEqual(len(truth), SEEDED - 350 + 60)
        self.assertEqual(resynced, truth)

    def test_changedsince_and_vanished_on_fetch(self):
        user = self.new_user("c")
        self.seed(user, 100)
        conn = self.connect(user)
        conn.ok("ENABLE QRESYNC")
        lines = conn.ok("SELECT %s" % QUEUE)
        since = select_values(lines, _HIGHESTMODSEQ)
        other = self.connect(user)
        other.ok("SELECT %s" % QUEUE)
        other.ok("UID STORE 3,5,7:9 +FLAGS.SILENT (\\Flagged)")
        other.ok("UID STORE 20 +FLAGS.SILENT (\\Deleted)")
        other.ok("UID EXPUNGE 20")
        conn.ok("NOOP")
        changed = {}
        for line in conn.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % since):
            parsed = parse_fetch(line)
            if parsed:
                changed[parsed[1]["UID"]] = parsed[1]
        self.assertEqual(sorted(changed), [3, 5, 7, 8, 9])
        for items in changed.values():
            self.assertIn("\\Flagged", items["FLAGS"])
            self.assertGreater(items["MODSEQ"], since)
        lines = conn.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)"
                        % since)
        self.assertIn("* VANISHED (EARLIER) 20", lines)
        # Nothing changed after the newest modseq.
        newest = max(items["MODSEQ"] for items in changed.values())
        lines = conn.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)" % newest)
        self.assertEqual([l for l in lines if " FETCH " in l], [])

    def test_unchangedsince_conflict_reports_modified(self):
        user = self.new_user("m")
        self.seed(user, 10)
        mine = self.connect(user)
        mine.ok("SELECT %s (CONDSTORE)" % QUEUE)
        cache = full_sync(mine)
        known = max(modseq for _, modseq in cache.values())
        theirs = self.connect(user)
        theirs.ok("SELECT %s" % QUEUE)
        theirs.ok("UID STORE 2 +FLAGS.SILENT ($Escalated)")

        _, tagged = mine.command(
            "UID STORE 1:3 (UNCHANGEDSINCE %d) +FLAGS (\\Flagged)" % known)
        self.assertEqual(status_of(tagged), "OK", tagged)
        self.assertEqual(response_code(tagged), "MODIFIED 2")
        after = full_sync(mine)
        self.assertIn("\\Flagged", after[1][0])
        self.assertIn("\\Flagged", after[3][0])
        self.assertEqual(after[2][0], frozenset({"$Escalated"}))
        # The sequence-number form answers with sequence numbers.
        theirs.ok("UID STORE 4 +FLAGS.SILENT ($Escalated)")
        _, tagged = mine.command(
            "STORE 4,5 (UNCHANGEDSINCE %d) +FLAGS (\\Seen)" % known)
        self.assertEqual(response_code(tagged), "MODIFIED 4")
        # UNCHANGEDSINCE 0 always fails (RFC 7162 section 3.1.3).
        _, tagged = mine.command(
            "UID STORE 6 (UNCHANGEDSINCE 0) +FLAGS (\\Seen)")
        self.assertEqual(response_code(tagged), "MODIFIED 6")
        self.assertEqual(full_sync(mine)[6][0], frozenset())

    def test_recreated_mailbox_forces_full_resync(self):
        user = self.new_user("v")
        self.seed(user, 30)
        uidvalidity, modseq, cache = self.synced_client(user)
        admin = self.connect(user)
        admin.ok("DELETE %s" % QUEUE)
        admin.ok("CREATE %s" % QUEUE)
        for i in range(3):
            admin.append(QUEUE, message("fresh %d" % i))
        conn = self.connect(user)
        conn.ok("ENABLE QRESYNC")
        lines = conn.ok("SELECT %s (QRESYNC (%d %d %s))" %
                        (QUEUE, uidvalidity, modseq, uid_set(cache)))
        new_validity = select_values(lines, _UIDVALIDITY)
        # RFC 3501 section 2.3.1.1: the new value must be greater.
        self.assertGreater(new_validity, uidvalidity)
        # RFC 7162 section 3.2.5: a UIDVALIDITY mismatch means no resync data.
        self.assertEqual([l for l in lines
                          if "VANISHED" in l or " FETCH " in l], [])
        truth = full_sync(conn)
        self.assertEqual(sorted(truth), [1, 2, 3])


if __name__ == "__main__":
    unittest.main()
