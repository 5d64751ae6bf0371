"""mailroomctl against a running daemon (admin socket) and a stopped one
(the store opened directly): users, mailboxes, mbox import, quota."""

import imaplib
import os
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd

MBOX = (b"From alice@example.com Sat Jan  3 01:05:34 1996\n"
        b"From: alice@example.com\nSubject: first\n\n"
        b">From the start of a line\nbody\n\n"
        b"From bob@example.com Thu Feb 29 23:59:59 2024\n"
        b"From: bob@example.com\nSubject: second\n\nhello\n")


class AdminTest(unittest.TestCase):
    def test_commands_with_the_daemon_running_and_stopped(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = Mailroomd(tmp, plugins=("imap",))
            if not server.has_plugin("imap"):
                self.skipTest("IMAP plugin not built")
            mbox = os.path.join(tmp, "old.mbox")
            with open(mbox, "wb") as f:
                f.write(MBOX)
            with server:
                server.ctl("user", "add", "carol", "--password_stdin",
                           input="first-pw\n")
                server.ctl("mailbox", "create", "carol", "Projects/2024")
                self.assertIn("Projects/2024",
                              server.ctl("mailbox", "list", "carol").stdout)
                out = server.ctl("import", "mbox", mbox, "--user", "carol",
                                 "--mailbox", "Old").stdout
                self.assertIn("imported 2 message(s)", out)
                status = server.ctl("mailbox", "status", "carol", "Old").stdout
                self.assertIn("messages: 2", status)
                server.ctl("quota", "set", "carol", "--storage_bytes=1000000",
                           "--messages=none")
                self.assertIn("/ 1000000",
                              server.ctl("quota", "get", "carol").stdout)
                server.ctl("user", "passwd", "carol", "--password=second-pw")

                imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
                imap.login("carol", "second-pw")
                typ, data = imap.select("Old")
                self.assertEqual(data[0], b"2")
                typ, data = imap.fetch("1", "(INTERNALDATE BODY.PEEK[TEXT])")
                self.assertIn(b"03-Jan-1996 01:05:34", data[0][0])
                self.assertEqual(data[0][1],
                                 b"From the start of a line\r\nbody\r\n")
                imap.logout()

                bad = server.ctl("mailbox", "status", "carol", "Nope",
                                 check=False)
                self.assertEqual(bad.returncode, 1)
                self.assertIn("error:", bad.stderr)
                usage = server.ctl("frobnicate", check=False)
                self.assertEqual(usage.returncode, 2)

            # Stopped: the same commands open the store directly.
            self.assertIn("carol", server.ctl("user", "list").stdout)
            server.ctl("user", "add", "dave", "--password=pw")
            server.ctl("user", "del", "carol")
            users = server.ctl("user", "list").stdout.split()
            self.assertEqual(sorted(users), ["dave"])

    def test_acl_and_seen_mode_for_a_shared_mailbox(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = Mailroomd(tmp, plugins=("imap",))
            if not server.has_plugin("imap"):
                self.skipTest("IMAP plugin not built")
            with server:
                server.add_user("agent1", "pw1")
                server.add_user("agent2", "pw2")
                server.add_user("outsider", "pw3")
                server.ctl("mailbox", "create", "agent1", "Shared/desk")
                # Before any grant no user can see it.
                imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
                imap.login("agent2", "pw2")
                self.assertEqual(imap.select('"Shared/desk"')[0], "NO")
                imap.logout()

                for agent in ("agent1", "agent2"):
                    out = server.ctl("acl", "set", "agent1", "Shared/desk",
                                     agent, "lrswite").stdout
                    self.assertIn("acl set", out)
                acl = server.ctl("acl", "get", "agent1", "Shared/desk").stdout
                self.assertIn("agent2 lrswite", acl)
                self.assertNotIn("outsider", acl)

                mode = server.ctl("mailbox", "seen-mode", "agent1",
                                  "Shared/desk").stdout
                self.assertIn("shared", mode)
                mode = server.ctl("mailbox", "seen-mode", "agent1",
                                  "Shared/desk", "per-user").stdout
                self.assertIn("per-user", mode)
                bad = server.ctl("mailbox", "seen-mode", "agent1",
                                 "Shared/desk", "sometimes", check=False)
                self.assertEqual(bad.returncode, 2)

                one = imaplib.IMAP4("127.0.0.1", server.imap_port)
                one.login("agent1", "pw1")
                self.assertEqual(one.append('"Shared/desk"', None, None,
                                            b"Subject: ticket\r\n\r\nhelp\r\n")[0],
                                 "OK")
                one.select('"Shared/desk"')
                one.store("1", "+FLAGS", "(\\Seen)")
                two = imaplib.IMAP4("127.0.0.1", server.imap_port)
                two.login("agent2", "pw2")
                two.select('"Shared/desk"')
                _, data = two.fetch("1", "(FLAGS)")
                # Per-user: agent1 read it, agent2 has not.
                self.assertNotIn(b"\\Seen", data[0])
                _, data = one.fetch("1", "(FLAGS)")
                self.assertIn(b"\\Seen", data[0])

                server.ctl("acl", "delete", "agent1", "Shared/desk", "agent2")
                acl = server.ctl("acl", "get", "agent1", "Shared/desk").stdout
                self.assertNotIn("agent2", acl)
                three = imaplib.IMAP4("127.0.0.1", server.imap_port)
                three.login("agent2", "pw2")
                self.assertEqual(three.select('"Shared/desk"')[0], "NO")
                for conn in (one, two, three):
                    conn.logout()
                usage = server.ctl("acl", "set", "agent1", check=False)
                self.assertEqual(usage.returncode, 2)


if __name__ == "__main__":
    unittest.main()
