"""A helpdesk: twenty agents work one shared mailbox at once while LMTP
delivers new tickets into it.

Each agent has a working connection (STORE \\Seen, \\Flagged, $Assigned and
its own keyword, MOVE to its own folder, \\Deleted + EXPUNGE) and a second
connection in IDLE that records every untagged response. One agent holds
only `lr`; one user holds no right at all. At the end:
  - every connection's picture, kept from untagged responses only, equals a
    fresh SELECT + UID FETCH 1:* FLAGS;
  - every acknowledged STORE of a flag that only one agent changes is the
    final state of that flag (no update lost);
  - moved and expunged messages are gone, delivered ones are there;
  - the `lr` agent's STOREs fail with NO and it still sees every change;
  - the user without rights cannot tell the mailbox from a missing one.

Two ways to set the mailbox up: an owner shares a mailbox of their own with
SETACL (agents see "Other Users/<owner>/helpdesk"), and an admin creates
"Shared/helpdesk" with mailroomctl and grants the rights with `mailroomctl
acl set`; LMTP reaches that mailbox as shared+helpdesk@localhost (the
pseudo-user "shared" owns the Shared namespace).
"""

import random
import socket
import threading
import time
import unittest

from tests.helpdesk import helpdesk_base
from tests.helpdesk.helpdesk_base import PASSWORD, address
from tests.helpdesk.imap_wire import (fetch_all_flags, message, quote,
                                      status_of, text_of)
from tests.helpdesk.mailbox_model import (MailboxModel, fill_unknown,
                                          without_recent)

AGENTS = 20
INITIAL_MESSAGES = 60
DELIVERIES = 30
OPS_PER_AGENT = 24
AGENT_RIGHTS = "lrswipte"  # MOVE out needs t and e; `p` for the record
DESK_FOLDER = "INBOX/desk"


class IdleRecorder:
    """A second connection of an agent, in IDLE until stopped, applying every
    untagged response to its own model. Runs one reader thread."""

    def __init__(self, conn, model):
        self.conn = conn
        self.model = model
        self.stop_event = threading.Event()
        self.started = threading.Event()
        self.error = None
        self.tag = None
        self.idle_start = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        self.started.wait(60)

    def _run(self):
        try:
            self.tag = self.conn.next_tag()
            self.conn.send("%s IDLE\r\n" % self.tag)
            while True:
                line = self.conn.read_response()
                if line.startswith("+"):
                    break
                self.model.apply(line)
            self.idle_start = len(self.model.log)
            self.started.set()
            self.conn.sock.settimeout(0.2)
            while not self.stop_event.is_set():
                try:
                    line = self.conn.read_response()
                except socket.timeout:
                    continue
                if line.startswith("* "):
                    self.model.apply(line)
        except Exception as e:  # reported by finish()
            self.error = e
            self.started.set()

    def wait_for_count(self, count, timeout=60):
        """Waits (without asserting on time) until the model holds `count`
        messages; returns the lines received while idling so far."""
        deadline = time.monotonic() + timeout
        while len(self.model.state()) != count and \
                time.monotonic() < deadline and self.error is None:
            time.sleep(0.05)
        return list(self.model.log)[self.idle_start:]

    def finish(self):
        """Ends IDLE; returns the tagged line."""
        self.stop_event.set()
        self.thread.join(60)
        if self.error:
            raise self.error
        self.conn.sock.settimeout(60)
        self.conn.send("DONE\r\n")
        _, tagged = self.conn.collect(self.tag)
        return tagged


class Agent:
    """One agent's working connection, IDLE connection and change log.
    Driven by one thread."""

    def __init__(self, test, index, user, mailbox):
        self.test = test
        self.index = index
        self.user = user
        self.mailbox = mailbox
        self.keyword = "$Agent%d" % index
        self.rng = random.Random(index)
        self.model = MailboxModel()
        self.idle_model = MailboxModel()
        # (uid, flag) -> last acknowledged value, for flags only this agent
        # changes: \Flagged, $Assigned and \Seen on its own tickets (uid %
        # AGENTS == index) and its keyword on every ticket.
        self.last_change = {}
        self.removed = set()
        self.moved = 0
        self.failures = []

    def connect(self):
        self.conn = self.test.connect(self.user)
        self.conn.listener = self.model.apply
        self.conn.ok("SELECT %s" % quote(self.mailbox))
        fill_unknown(self.conn, self.model)
        self.conn.ok("CREATE %s" % DESK_FOLDER)
        idle = self.test.connect(self.user)
        idle.listener = self.idle_model.apply
        idle.ok("SELECT %s" % quote(self.mailbox))
        fill_unknown(idle, self.idle_model)
        self.idle = IdleRecorder(idle, self.idle_model)
        self.idle.start()

    def mine(self, uid):
        return uid % AGENTS == self.index

    def run(self, go):
        go.wait(60)
        for _ in range(OPS_PER_AGENT):
            fill_unknown(self.conn, self.model)
            present = [u for u in self.model.uids()
                       if u is not None and u not in self.removed]
            mine = [u for u in present if self.mine(u)]
            roll = self.rng.random()
            if mine and roll < 0.45:
                uid = self.rng.choice(mine)
                flag = self.rng.choice(["\\Flagged", "$Assigned", "\\Seen"])
                self.store(uid, flag, self.rng.random() < 0.6)
            elif present and roll < 0.8:
                self.store(self.rng.choice(present), self.keyword,
                           self.rng.random() < 0.6)
            elif mine and roll < 0.9:
                uid = self.rng.choice(mine)
                self.expect_ok("UID MOVE %d %s" % (uid, DESK_FOLDER))
                self.removed.add(uid)
                self.moved += 1
            elif mine:
                uid = self.rng.choice(mine)
                self.expect_ok("UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
                self.expect_ok("EXPUNGE")
                self.removed.add(uid)
            else:
                self.expect_ok("NOOP")

    def store(self, uid, flag, on):
        if self.expect_ok("UID STORE %d %sFLAGS (%s)" %
                          (uid, "+" if on else "-", flag)):
            self.last_change[(uid, flag)] = on

    def expect_ok(self, command):
        _, tagged = self.conn.command(command)
        if status_of(tagged) != "OK":
            self.failures.append("%s %s -> %s" % (self.user, command, tagged))
            return False
        return True


class HelpdeskScenarioTest(helpdesk_base.HelpdeskTestCase):

    def test_owner_shares_a_mailbox_with_setacl(self):
        owner = self.new_user("boss")
        conn = self.connect(owner)
        conn.ok("CREATE helpdesk")
        self.run_helpdesk(
            grant=lambda who, rights: conn.ok(
                "SETACL helpdesk %s %s" % (who, rights)),
            seed=lambda data: conn.append("helpdesk", data),
            agent_name="Other Users/%s/helpdesk" % owner,
            missing_name="Other Users/%s/nohelpdesk" % owner,
            lmtp_address=address(owner, "helpdesk"))

    def test_admin_creates_a_shared_mailbox(self):
        # The Shared namespace belongs to the pseudo-user "shared"; the
        # admin grants the rights there with mailroomctl.
        self.server.add_user("shared", PASSWORD)
        # mailroomctl acts as an admin principal named after any user.
        admin = self.new_user("adm")
        self.server.ctl("mailbox", "create", admin, "Shared/helpdesk")
        conn = self.connect("shared")
        self.run_helpdesk(
            grant=lambda who, rights: self.server.ctl(
                "acl", "set", admin, "Shared/helpdesk", who, rights),
            seed=lambda data: conn.append("Shared/helpdesk", data),
            agent_name="Shared/helpdesk",
            missing_name="Shared/nohelpdesk",
            lmtp_address=address("shared", "helpdesk"))

    # ---- the scenario ----------------------------------------------------
    def run_helpdesk(self, grant, seed, agent_name, missing_name,
                     lmtp_address):
        for i in range(INITIAL_MESSAGES):
            _, tagged = seed(message("ticket %d" % i))
            self.assertEqual(status_of(tagged), "OK", tagged)
        agents = []
        for i in range(AGENTS):
            user = self.new_user("agent")
            grant(user, AGENT_RIGHTS)
            agents.append(Agent(self, i, user, agent_name))
        reader = self.new_user("reader")
        grant(reader, "lr")
        # LMTP files a +detail delivery into the mailbox only when it grants
        # `p` to anyone (the sender is anonymous); otherwise it goes to the
        # owner's INBOX.
        grant("anyone", "p")
        stranger = self.new_user("stranger")

        self.check_invisible(stranger, agent_name, missing_name)
        for agent in agents:
            agent.connect()
        watcher = ReadOnlyWatcher(self, reader, agent_name)

        go = threading.Event()
        errors = []

        def guarded(fn):
            def run():
                try:
                    fn()
                except Exception as e:
                    errors.append(e)
            return threading.Thread(target=run)

        delivered = []

        def deliver():
            go.wait(60)
            for i in range(DELIVERIES):
                refused = self.deliver([lmtp_address],
                                       message("new ticket %d" % i))
                if not refused:
                    delivered.append(i)

        threads = [guarded(lambda a=a: a.run(go)) for a in agents]
        threads.append(guarded(deliver))
        threads.append(guarded(lambda: watcher.run(go)))
        for t in threads:
            t.start()
        go.set()
        for t in threads:
            t.join(300)
        self.assertEqual(errors, [])
        self.assertEqual([f for a in agents for f in a.failures], [])
        self.assertEqual(len(delivered), DELIVERIES)

        # The store's state, as each agent sees it on a fresh connection.
        finals = {}
        for agent in agents:
            fresh = self.connect(agent.user)
            fresh.ok("SELECT %s" % quote(agent_name))
            finals[agent.index] = without_recent(fetch_all_flags(fresh))
        final_uids = [uid for uid, _ in finals[0]]
        for agent in agents:
            self.assertEqual([u for u, _ in finals[agent.index]], final_uids)

        removed = set().union(*(a.removed for a in agents))
        # The run did what it is meant to: moves, expunges, flag changes.
        self.assertGreater(sum(a.moved for a in agents), 0)
        self.assertGreater(len(removed), sum(a.moved for a in agents))
        self.assertGreater(sum(len(a.last_change) for a in agents), 100)
        self.assertEqual(removed & set(final_uids), set())
        self.assertEqual(len(final_uids),
                         INITIAL_MESSAGES + DELIVERIES - len(removed))

        for agent in agents:
            final = finals[agent.index]
            # The working connection's picture after NOOP.
            agent.conn.ok("NOOP")
            fill_unknown(agent.conn, agent.model)
            self.assertEqual(agent.model.errors, [], agent.user)
            self.assertEqual(without_recent(agent.model.state()), final,
                             agent.user)
            # The IDLE connection: changes reached it while idling; what it
            # learnt is right, and once it names the messages that arrived
            # it has it all.
            idled = agent.idle.wait_for_count(len(final))
            for kind in (" EXISTS", " EXPUNGE", " FETCH "):
                self.assertTrue([l for l in idled if kind in l],
                                (agent.user, kind))
            self.assertEqual(status_of(agent.idle.finish()), "OK")
            agent.idle.conn.ok("NOOP")
            self.assertEqual(agent.idle_model.errors, [], agent.user)
            seen = agent.idle_model.state()
            self.assertEqual(len(seen), len(final), agent.user)
            for (uid, flags), (final_uid, final_flags) in zip(seen, final):
                if uid is not None:
                    self.assertEqual(uid, final_uid, agent.user)
                if flags is not None:
                    self.assertEqual(without_recent([(uid, flags)])[0][1],
                                     final_flags, (agent.user, final_uid))
            fill_unknown(agent.idle.conn, agent.idle_model)
            self.assertEqual(without_recent(agent.idle_model.state()), final)
            # No acknowledged change was lost.
            flags_by_uid = dict(final)
            for (uid, flag), on in agent.last_change.items():
                if uid in flags_by_uid:
                    self.assertEqual(flag in flags_by_uid[uid], on,
                                     (agent.user, uid, flag))
            # Moved tickets are in the agent's own folder.
            lines = agent.conn.ok("STATUS %s (MESSAGES)" % DESK_FOLDER)
            self.assertIn("* STATUS %s (MESSAGES %d)" %
                          (DESK_FOLDER, agent.moved), lines)
            # No agent sees another agent's private folders.
            listed = " ".join(agent.conn.ok('LIST "" "*"'))
            for other in agents:
                if other is not agent:
                    self.assertNotIn(other.user, listed)

        # \Seen may be kept per user: the reader compares with its own view.
        fresh = self.connect(reader)
        fresh.ok("EXAMINE %s" % quote(agent_name))
        reader_final = without_recent(fetch_all_flags(fresh))
        self.assertEqual([u for u, _ in reader_final], final_uids)
        watcher.finish(self, reader_final)
        self.check_invisible(stranger, agent_name, missing_name)

    def check_invisible(self, user, name, missing_name):
        """`user` has no right on `name`: LIST does not show it and SELECT,
        EXAMINE, STATUS and APPEND answer exactly as for a missing mailbox."""
        conn = self.connect(user)
        for pattern in ('"" "*"', '"" "%s/*"' % name.split("/")[0],
                        '"" %s' % quote(name)):
            listed = conn.ok("LIST " + pattern)
            self.assertFalse([l for l in listed if "helpdesk" in l], listed)
        for command in ["SELECT %s", "EXAMINE %s", "STATUS %s (MESSAGES)",
                        "MYRIGHTS %s", "GETACL %s"]:
            _, denied = conn.command(command % quote(name))
            _, missing = conn.command(command % quote(missing_name))
            self.assertEqual(status_of(denied), "NO", denied)
            self.assertEqual(text_of(denied).replace(name, missing_name),
                             text_of(missing), command)
        _, denied = conn.append(name, message("intruder"))
        _, missing = conn.append(missing_name, message("intruder"))
        self.assertEqual(status_of(denied), "NO", denied)
        self.assertEqual(text_of(denied).replace(name, missing_name),
                         text_of(missing))
        conn.close()


class ReadOnlyWatcher:
    """The `lr` agent: selects the mailbox, keeps its picture up to date with
    NOOP, and tries to change flags, which must fail with NO."""

    def __init__(self, test, user, mailbox):
        self.model = MailboxModel()
        self.conn = test.connect(user)
        self.conn.listener = self.model.apply
        _, tagged = self.conn.command("SELECT %s" % quote(mailbox))
        test.assertEqual(status_of(tagged), "OK", tagged)
        test.assertIn("[READ-ONLY]", tagged)
        fill_unknown(self.conn, self.model)
        self.refusals = []

    def run(self, go):
        go.wait(60)
        rng = random.Random(99)
        for i in range(OPS_PER_AGENT):
            self.conn.ok("NOOP")
            fill_unknown(self.conn, self.model)
            uids = [u for u in self.model.uids() if u is not None]
            if not uids:
                continue
            flag = ["\\Seen", "\\Flagged", "$Assigned", "\\Deleted"][i % 4]
            _, tagged = self.conn.command("UID STORE %d +FLAGS (%s)" %
                                          (rng.choice(uids), flag))
            self.refusals.append(tagged)
        _, tagged = self.conn.command("EXPUNGE")
        self.refusals.append(tagged)

    def finish(self, test, final):
        test.assertTrue(self.refusals)
        for tagged in self.refusals:
            test.assertEqual(status_of(tagged), "NO", tagged)
        self.conn.ok("NOOP")
        fill_unknown(self.conn, self.model)
        test.assertEqual(self.model.errors, [])
        test.assertEqual(without_recent(self.model.state()), final)


if __name__ == "__main__":
    unittest.main()
