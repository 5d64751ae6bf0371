"""Two mailroomd nodes on one RADOS namespace: any node serves any user.

Node A and node B share the store (the cluster MAILROOM_RADOS_CONF names) and
nothing else: each has its own data directory, ports and process. The tests
check what clients of a provider with several nodes rely on: a change made
through one node reaches IDLE and NOTIFY sessions on the other at once, the
POP3
maildrop lock holds across nodes and lapses when its node dies, and a node
killed with SIGKILL under delivery loses nothing it acknowledged.
"""

import os
import poplib
import smtplib
import socket
import tempfile
import threading
import time
import unittest

from tests.harness.mailroomd import Mailroomd, new_namespace
from tests.imap.e2e.imap_client import ImapClient, message, subjects

PASSWORD = "node-secret"


class TwoNodesTest(unittest.TestCase):

    def setUp(self):
        os.environ["MAILROOM_TEST_ENGINE"] = "rados"
        self.tmp = tempfile.TemporaryDirectory()
        namespace = new_namespace()
        self.a = Mailroomd(os.path.join(self.tmp.name, "a"), tls=False,
                           rados_namespace=namespace)
        self.b = Mailroomd(os.path.join(self.tmp.name, "b"), tls=False,
                           rados_namespace=namespace)
        self.a.start()
        self.b.start()
        # Created through node A only: node B must find the account.
        self.a.add_user("agent", PASSWORD)

    def tearDown(self):
        for node in (self.a, self.b):
            try:
                node.stop()
            except Exception:  # already killed
                pass
        self.tmp.cleanup()

    def imap(self, node):
        c = ImapClient(node.imap_port)
        c.login("agent", PASSWORD)
        return c

    @staticmethod
    def wait_for(conn, predicate, timeout=10):
        """Reads untagged lines until one satisfies `predicate`."""
        conn.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            line = conn.read_response_line()
            seen.append(line)
            if predicate(line):
                return line
        raise AssertionError("not seen in %ss: %r" % (timeout, seen))

    def test_idle_on_one_node_sees_delivery_and_flags_from_the_other(self):
        watcher = self.imap(self.b)
        watcher.ok("SELECT INBOX")
        watcher.send("i1 IDLE\r\n")
        self.assertTrue(watcher.read_response_line().startswith("+"))

        writer = self.imap(self.a)
        writer.append("INBOX", message("cross-node"))
        self.wait_for(watcher, lambda l: l == "* 1 EXISTS")

        writer.ok("SELECT INBOX")
        writer.ok("STORE 1 +FLAGS (\\Flagged)")
        line = self.wait_for(watcher, lambda l: "FETCH" in l)
        self.assertIn("\\Flagged", line)
        watcher.send("DONE\r\n")
        self.assertIn("OK", watcher.collect("i1")[-1])

        # And the other way round, by LMTP delivery to node B.
        writer.send("i2 IDLE\r\n")
        self.assertTrue(writer.read_response_line().startswith("+"))
        with smtplib.LMTP("127.0.0.1", self.b.lmtp_port) as lmtp:
            lmtp.sendmail("x@example.com", ["agent@localhost"],
                          message("by lmtp on b"))
        self.wait_for(writer, lambda l: l == "* 2 EXISTS")
        writer.send("DONE\r\n")
        writer.collect("i2")

    def test_notify_on_one_node_reports_changes_made_on_the_other(self):
        watcher = self.imap(self.b)
        watcher.ok("NOTIFY SET (personal (MessageNew MessageExpunge))")
        changer = self.imap(self.a)
        changer.ok("CREATE Queue")
        changer.append("Queue", message("for the queue"))
        line = self.wait_for(watcher, lambda l: l.startswith("* STATUS Queue"))
        self.assertIn("MESSAGES 1", line)
        changer.ok("SELECT Queue")
        changer.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        changer.ok("EXPUNGE")
        line = self.wait_for(watcher, lambda l: l.startswith("* STATUS Queue"))
        self.assertIn("MESSAGES 0", line)

    def test_text_search_on_a_node_that_never_saw_the_mail_is_exact(self):
        writer = self.imap(self.a)
        for i in range(12):
            body = "ticket %d about the %s printer\r\n" % (
                i, "purple" if i % 3 == 0 else "green")
            writer.append("INBOX", message("ticket %d" % i, body=body))
        searcher = self.imap(self.b)
        searcher.ok("SELECT INBOX")
        search = lambda c, q: [l for l in c.ok(q) if l.startswith("* SEARCH")]
        self.assertEqual(search(searcher, "UID SEARCH BODY purple"),
                         ["* SEARCH 1 4 7 10"])
        # Changes after the first search reach the second one: a new
        # message, an expunge and a flag change.
        writer.append("INBOX", message("late", body="purple again\r\n"))
        writer.ok("SELECT INBOX")
        writer.ok("UID STORE 4 +FLAGS.SILENT (\\Deleted)")
        writer.ok("UID STORE 7 +FLAGS.SILENT (\\Flagged)")
        writer.ok("EXPUNGE")
        # Node B learns of them by notification, within milliseconds but
        # not before A answered: ask until its session has seen them.
        deadline = time.monotonic() + 5
        while (search(searcher, "UID SEARCH BODY purple") !=
               ["* SEARCH 1 7 10 13"] and time.monotonic() < deadline):
            time.sleep(0.05)
        self.assertEqual(search(searcher, "UID SEARCH BODY purple"),
                         ["* SEARCH 1 7 10 13"])
        self.assertEqual(search(searcher, "UID SEARCH BODY purple FLAGGED"),
                         ["* SEARCH 7"])

    def test_pop3_maildrop_lock_holds_across_nodes(self):
        first = poplib.POP3("127.0.0.1", self.a.pop3_port)
        first.user("agent")
        first.pass_(PASSWORD)
        second = poplib.POP3("127.0.0.1", self.b.pop3_port)
        second.user("agent")
        with self.assertRaises(poplib.error_proto) as refused:
            second.pass_(PASSWORD)
        self.assertIn(b"IN-USE", refused.exception.args[0])
        first.quit()
        third = poplib.POP3("127.0.0.1", self.b.pop3_port)
        third.user("agent")
        third.pass_(PASSWORD)
        third.quit()

    def test_lock_of_a_dead_node_lapses(self):
        holder = poplib.POP3("127.0.0.1", self.a.pop3_port)
        holder.user("agent")
        holder.pass_(PASSWORD)
        self.a.kill9()
        deadline = time.monotonic() + 60
        while True:
            client = poplib.POP3("127.0.0.1", self.b.pop3_port)
            client.user("agent")
            try:
                client.pass_(PASSWORD)
                client.quit()
                break
            except poplib.error_proto as e:
                self.assertIn(b"IN-USE", e.args[0])
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def test_sigkill_under_delivery_loses_nothing_acknowledged(self):
        acknowledged = []
        stop = threading.Event()

        def deliver():
            n = 0
            while not stop.is_set():
                subject = "load-%d" % n
                try:
                    with smtplib.LMTP("127.0.0.1", self.a.lmtp_port) as lmtp:
                        lmtp.sendmail("x@example.com", ["agent@localhost"],
                                      message(subject))
                    acknowledged.append(subject)
                except (smtplib.SMTPException, OSError):
                    return  # the node died mid-delivery: not acknowledged
                n += 1

        thread = threading.Thread(target=deliver)
        thread.start()
        time.sleep(3)
        self.a.kill9()
        stop.set()
        thread.join(30)
        self.assertGreater(len(acknowledged), 0)

        reader = self.imap(self.b)
        reader.ok("EXAMINE INBOX")
        found = set(subjects(reader))
        missing = [s for s in acknowledged if s not in found]
        self.assertEqual(missing, [], "acknowledged but lost")
        # Node A comes back on the same store and sees the same mail.
        self.a.start()
        again = self.imap(self.a)
        status = again.ok("STATUS INBOX (MESSAGES)")[0]
        self.assertGreaterEqual(
            int(status.split("MESSAGES ")[1].rstrip(")")), len(acknowledged))


if __name__ == "__main__":
    socket.setdefaulttimeout(60)
    unittest.main()
