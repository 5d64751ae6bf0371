"""Private flags end to end: two agents on one shared helpdesk mailbox where
the admin made \\Flagged and $Todo private to each agent and left $Assigned
shared. Checks each agent's FETCH, SEARCH, STATUS, CHANGEDSINCE and IDLE
notifications over real IMAP, and the admin command."""

import json
import re
import unittest

from tests.helpdesk.helpdesk_base import HelpdeskTestCase, PASSWORD
from tests.helpdesk.imap_wire import message, parse_fetch, quote, status_of

DESK = "Shared/helpdesk"
_HIGHEST = re.compile(r"HIGHESTMODSEQ (\d+)")


def highest_of(lines):
    for line in lines:
        m = _HIGHEST.search(line)
        if m:
            return int(m.group(1))
    raise AssertionError("no HIGHESTMODSEQ in %r" % lines)


def fetched(lines):
    """{uid: flags} of the FETCH responses among `lines`."""
    out = {}
    for line in lines:
        parsed = parse_fetch(line)
        if parsed and "UID" in parsed[1]:
            flags = parsed[1].get("FLAGS")
            # \Recent belongs to one session, not to the mailbox.
            out[parsed[1]["UID"]] = (None if flags is None
                                     else frozenset(flags) - {"\\Recent"})
    return out


def searched(lines):
    for line in lines:
        if line.startswith("* SEARCH"):
            return [int(x) for x in line.split()[2:]]
    raise AssertionError("no SEARCH response in %r" % lines)


class PrivateFlagsTest(HelpdeskTestCase):

    def setUp(self):
        super().setUp()
        if "shared" not in self.server.ctl("user", "list").stdout.split():
            self.server.add_user("shared", PASSWORD)
        self.admin = self.new_user("adm")
        self.server.ctl("mailbox", "create", self.admin, DESK)
        self.agents = [self.new_user("agent") for _ in range(2)]
        for agent in self.agents:
            self.server.ctl("acl", "set", self.admin, DESK, agent, "lrswipte")
        owner = self.connect("shared")
        for i in range(4):
            _, tagged = owner.append(DESK, message("ticket %d" % i))
            self.assertEqual(status_of(tagged), "OK", tagged)

    def tearDown(self):
        super().tearDown()
        self.server.ctl("mailbox", "delete", self.admin, DESK)

    def ctl_json(self, *args, check=True):
        done = self.server.ctl(*args, "--json", check=check)
        return done.returncode, json.loads(done.stdout)

    def select(self, user):
        conn = self.connect(user)
        return conn, highest_of(conn.ok("SELECT %s (CONDSTORE)" % quote(DESK)))

    def read_until(self, conn, predicate):
        """Untagged lines read until one satisfies `predicate` (included)."""
        lines = []
        while True:
            line = conn.read_response()
            lines.append(line)
            if predicate(line):
                return lines

    def test_admin_command_shows_sets_and_refuses_deleted(self):
        _, doc = self.ctl_json("mailbox", "private-flags", self.admin, DESK)
        self.assertEqual(doc["private_flags"], [])
        _, doc = self.ctl_json("mailbox", "private-flags", self.admin, DESK,
                               "\\flagged", "$Todo")
        self.assertEqual(doc["private_flags"], ["\\Flagged", "$Todo"])
        code, doc = self.ctl_json("mailbox", "private-flags", self.admin,
                                  DESK, "\\Deleted", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("\\Deleted cannot be private", doc["error"])
        text = self.server.ctl("mailbox", "private-flags", self.admin,
                               DESK).stdout
        self.assertIn("private \\Flagged $Todo", text)
        # The older seen mode adds \Seen to the set and keeps the rest.
        self.server.ctl("mailbox", "seen-mode", self.admin, DESK, "per-user")
        _, doc = self.ctl_json("mailbox", "private-flags", self.admin, DESK)
        self.assertEqual(doc["private_flags"], ["\\Seen", "\\Flagged", "$Todo"])
        _, doc = self.ctl_json("mailbox", "private-flags", self.admin, DESK,
                               "--none")
        self.assertEqual(doc["private_flags"], [])

    def test_two_agents_keep_their_own_flags(self):
        self.server.ctl("mailbox", "private-flags", self.admin, DESK,
                        "\\Flagged", "$Todo")
        alice, bob = self.agents
        a, a_start = self.select(alice)
        b, b_start = self.select(bob)
        # A second session of alice and one of bob, both in IDLE.
        a_idle, _ = self.select(alice)
        b_idle, _ = self.select(bob)
        for conn in (a_idle, b_idle):
            conn.send("idle1 IDLE\r\n")
            self.assertTrue(conn.read_response().startswith("+"))

        lines = a.ok("UID STORE 1 +FLAGS (\\Flagged $Todo)")
        self.assertEqual(fetched(lines)[1], {"\\Flagged", "$Todo"})
        # Alice's private change moved only alice's HIGHESTMODSEQ.
        b_status = highest_of(b.ok("STATUS %s (HIGHESTMODSEQ)" % quote(DESK)))
        a_status = highest_of(a.ok("STATUS %s (HIGHESTMODSEQ)" % quote(DESK)))
        self.assertEqual(b_status, b_start)
        self.assertGreater(a_status, a_start)

        # A shared change: both see it.
        b.ok("UID STORE 2 +FLAGS ($Assigned)")

        # Bob's IDLE hears the shared change and nothing of alice's flags.
        heard = self.read_until(
            b_idle, lambda l: (parse_fetch(l) or (0,))[0] == 2)
        self.assertEqual([l for l in heard if (parse_fetch(l) or (0,))[0] == 1],
                         [])
        self.assertIn("$Assigned", parse_fetch(heard[-1])[1]["FLAGS"])
        # Alice's other session hears her own private change, then bob's.
        heard = self.read_until(
            a_idle, lambda l: (parse_fetch(l) or (0,))[0] == 1)
        self.assertTrue({"\\Flagged", "$Todo"} <=
                        parse_fetch(heard[-1])[1]["FLAGS"])
        heard = self.read_until(
            a_idle, lambda l: (parse_fetch(l) or (0,))[0] == 2)
        self.assertIn("$Assigned", parse_fetch(heard[-1])[1]["FLAGS"])
        for conn in (a_idle, b_idle):
            conn.send("DONE\r\n")
            _, tagged = conn.collect("idle1")
            self.assertEqual(status_of(tagged), "OK", tagged)

        # FETCH: each agent's own view.
        a_flags = fetched(a.ok("UID FETCH 1:* (FLAGS)"))
        b_flags = fetched(b.ok("UID FETCH 1:* (FLAGS)"))
        self.assertEqual(a_flags[1], {"\\Flagged", "$Todo"})
        self.assertEqual(b_flags[1], set())
        self.assertEqual(a_flags[2], {"$Assigned"})
        self.assertEqual(b_flags[2], {"$Assigned"})

        # SEARCH answers per agent.
        self.assertEqual(searched(a.ok("UID SEARCH FLAGGED")), [1])
        self.assertEqual(searched(b.ok("UID SEARCH FLAGGED")), [])
        self.assertEqual(searched(b.ok("UID SEARCH KEYWORD $Todo")), [])
        self.assertEqual(searched(a.ok("UID SEARCH KEYWORD $todo")), [1])
        self.assertEqual(searched(b.ok("UID SEARCH UNFLAGGED")), [1, 2, 3, 4])
        self.assertEqual(searched(b.ok("UID SEARCH KEYWORD $Assigned")), [2])

        # CHANGEDSINCE: bob's changes since his start are only the shared
        # one; alice's are both.
        self.assertEqual(
            sorted(fetched(b.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)"
                                % b_start))), [2])
        self.assertEqual(
            sorted(fetched(a.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)"
                                % a_start))), [1, 2])

        # STATUS UNSEEN follows the shared \Seen here (it is not private).
        a.ok("UID STORE 3 +FLAGS (\\Seen)")
        for conn in (a, b):
            lines = conn.ok("STATUS %s (UNSEEN)" % quote(DESK))
            self.assertIn("UNSEEN 3", " ".join(lines))

        # \Flagged becomes shared again: alice's own value goes, and bob is
        # told about message 1 by CHANGEDSINCE.
        before = highest_of(b.ok("STATUS %s (HIGHESTMODSEQ)" % quote(DESK)))
        self.server.ctl("mailbox", "private-flags", self.admin, DESK, "$Todo")
        self.assertEqual(
            sorted(fetched(b.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)"
                                % before))), [1])
        self.assertEqual(fetched(a.ok("UID FETCH 1 (FLAGS)"))[1], {"$Todo"})


if __name__ == "__main__":
    unittest.main()
