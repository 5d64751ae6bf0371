"""POP3 against a real mailroomd: every command, errors, sessions, restarts.

Mail arrives over LMTP and is checked over POP3 and IMAP on the same store.
"""
import base64
import poplib
import socket
import time
import unittest

from tests.pop3 import e2e_support as e2e


class Pop3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = e2e.Server(extra_flags=["--pop3_expire_days=30"])
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def new_user(self):
        name = "u%d" % (int(time.time() * 1e6) % 10**9)
        self.server.create_user(name, "pass")
        return name

    def fill(self, user, subjects, body="hello\r\n"):
        for subject in subjects:
            refused = e2e.deliver(self.server, ["%s@%s" % (user, e2e.DOMAIN)],
                                  e2e.message(subject, body))
            self.assertEqual(refused, {})

    def test_capabilities(self):
        client = poplib.POP3(self.server.host, self.server.pop3_port)
        caps = client.capa()
        for cap in ("TOP", "UIDL", "USER", "SASL", "RESP-CODES",
                    "AUTH-RESP-CODE", "PIPELINING", "EXPIRE", "LOGIN-DELAY",
                    "IMPLEMENTATION", "UTF8"):
            self.assertIn(cap, caps)
        self.assertEqual(caps["EXPIRE"], ["30"])
        self.assertIn("SCRAM-SHA-256", caps["SASL"])
        client.quit()

    def test_every_transaction_command(self):
        user = self.new_user()
        self.fill(user, ["one", "two", "three"], body=".dot\r\nline\r\n")
        client = e2e.pop3(self.server, user)
        count, size = client.stat()
        self.assertEqual(count, 3)
        listing = client.list()[1]
        sizes = {int(n): int(s) for n, s in (l.split() for l in listing)}
        self.assertEqual(sum(sizes.values()), size)
        # RETR sends exactly LIST's size (CRLF line ends, unstuffed).
        for n in (1, 2, 3):
            resp, lines, octets = client.retr(n)
            body = b"".join(l + b"\r\n" for l in lines)
            self.assertEqual(len(body), sizes[n])
            self.assertIn(b".dot", lines)
        # TOP: header, blank line, one body line.
        _, lines, _ = client.top(1, 1)
        self.assertIn(b"Subject: one", lines)
        self.assertEqual(lines[-1], b".dot")
        self.assertEqual(lines[-2], b"")
        uidls = [l.split()[1] for l in client.uidl()[1]]
        self.assertEqual(len(set(uidls)), 3)
        self.assertTrue(client.noop().startswith(b"+OK"))
        client.dele(2)
        self.assertEqual(client.stat()[0], 2)
        with self.assertRaises(poplib.error_proto):
            client.retr(2)
        client.rset()
        self.assertEqual(client.stat()[0], 3)
        client.dele(2)
        client.quit()
        self.assertEqual(e2e.imap_subjects(self.server, user), ["one", "three"])

    def test_errors(self):
        user = self.new_user()
        client = poplib.POP3(self.server.host, self.server.pop3_port)
        client.user(user)
        with self.assertRaises(poplib.error_proto) as err:
            client.pass_("wrong")
        self.assertIn(b"[AUTH]", err.exception.args[0])
        with self.assertRaises(poplib.error_proto):
            client._shortcmd("STAT")  # not logged in
        with self.assertRaises(poplib.error_proto):
            client._shortcmd("XYZZY")
        client.user(user)
        client.pass_("pass")
        for bad in ("RETR 1", "RETR 0", "LIST 7", "TOP 1", "DELE x", "BOGUS"):
            with self.assertRaises(poplib.error_proto, msg=bad):
                client._shortcmd(bad)
        with self.assertRaises(poplib.error_proto):
            client._shortcmd("A" * 100000)  # line too long
        self.assertTrue(client.noop().startswith(b"+OK"))  # still usable
        client.quit()

    def test_auth_plain_and_scram(self):
        user = self.new_user()
        conn = e2e.RawLine(self.server.host, self.server.pop3_port)
        self.assertTrue(conn.line().startswith("+OK"))
        ir = base64.b64encode(b"\0" + user.encode() + b"\0pass").decode()
        self.assertTrue(conn.cmd("AUTH PLAIN " + ir).startswith("+OK"))
        conn.cmd("QUIT")
        conn.close()

        conn = e2e.RawLine(self.server.host, self.server.pop3_port)
        conn.line()
        self.assertEqual(conn.cmd("AUTH SCRAM-SHA-256"), "+ ")

        def send(data):
            reply = conn.cmd(base64.b64encode(data).decode())
            if reply.startswith("+OK"):
                return None
            self.assertTrue(reply.startswith("+ "), reply)
            return base64.b64decode(reply[2:])

        self.assertTrue(e2e.scram_sha256_exchange(send, user, "pass"))
        self.assertTrue(conn.cmd("STAT").startswith("+OK 0 0"))
        conn.close()

        conn = e2e.RawLine(self.server.host, self.server.pop3_port)
        conn.line()
        conn.cmd("AUTH SCRAM-SHA-256")
        self.assertTrue(conn.cmd("*").startswith("-ERR"))
        self.assertTrue(conn.cmd("AUTH NOPE").startswith("-ERR"))
        conn.close()

    def test_one_session_per_maildrop(self):
        user = self.new_user()
        first = e2e.pop3(self.server, user)
        second = poplib.POP3(self.server.host, self.server.pop3_port)
        second.user(user)
        with self.assertRaises(poplib.error_proto) as err:
            second.pass_("pass")
        self.assertIn(b"[IN-USE]", err.exception.args[0])
        first.quit()
        second.user(user)
        second.pass_("pass")  # free again
        second.quit()

    def test_dropped_connection_expunges_nothing(self):
        user = self.new_user()
        self.fill(user, ["keep1", "keep2"])
        client = e2e.pop3(self.server, user)
        client.dele(1)
        client.dele(2)
        client.sock.shutdown(socket.SHUT_RDWR)
        client.sock.close()
        deadline = time.time() + 10
        while True:  # the lease goes once the server noticed the drop
            try:
                again = e2e.pop3(self.server, user)
                break
            except poplib.error_proto:
                self.assertLess(time.time(), deadline)
                time.sleep(0.1)
        self.assertEqual(again.stat()[0], 2)
        again.quit()

    def test_pop3_and_imap_on_one_mailbox(self):
        user = self.new_user()
        self.fill(user, ["a", "b", "c"])
        imap = e2e.imap(self.server, user)
        imap.select("INBOX")
        client = e2e.pop3(self.server, user)
        # IMAP expunges message 2 while POP3 holds the maildrop.
        imap.store("2", "+FLAGS", "\\Deleted")
        imap.expunge()
        with self.assertRaises(poplib.error_proto):
            client.retr(2)
        self.assertIn(b"Subject: c", client.retr(3)[1])  # numbers held
        client.dele(1)
        client.quit()
        typ, data = imap.noop()
        imap.close()
        imap.logout()
        self.assertEqual(e2e.imap_subjects(self.server, user), ["c"])
        # A delivery meanwhile is not blocked by a POP3 session.
        client = e2e.pop3(self.server, user)
        self.fill(user, ["d"])
        client.quit()
        self.assertEqual(e2e.imap_subjects(self.server, user), ["c", "d"])

    def test_sequential_download_with_expunges_between_windows(self):
        # Enough messages for several read-ahead windows, each read in the
        # background while the client downloads the one before.
        user = self.new_user()
        for i in range(120):
            self.fill(user, ["m%d" % i],
                      body=".dot line %d\r\n" % i + ("x" * 60 + "\r\n") * i)
        imap = e2e.imap(self.server, user)
        imap.select("INBOX")
        expected = {}
        for n in range(1, 121):
            typ, data = imap.fetch(str(n), "(BODY.PEEK[])")
            expected[n] = data[0][1]
        client = e2e.pop3(self.server, user)
        for n in range(1, 31):
            self.assertEqual(b"\r\n".join(client.retr(n)[1]) + b"\r\n",
                             expected[n], n)
        # Messages the session has read ahead, or is reading, go meanwhile.
        gone = [31, 32, 40, 64, 100]
        for n in reversed(gone):
            imap.store(str(n), "+FLAGS", "\\Deleted")
        imap.expunge()
        for n in range(31, 121):
            if n in gone:
                with self.assertRaises(poplib.error_proto):
                    client.retr(n)
                continue
            self.assertEqual(b"\r\n".join(client.retr(n)[1]) + b"\r\n",
                             expected[n], n)
        client.quit()
        imap.logout()

    def test_retr_sets_seen(self):
        user = self.new_user()
        self.fill(user, ["x", "y"])
        client = e2e.pop3(self.server, user)
        client.retr(2)
        client.quit()
        imap = e2e.imap(self.server, user)
        imap.select("INBOX", readonly=True)
        typ, data = imap.search(None, "SEEN")
        self.assertEqual(data[0].split(), [b"2"])
        imap.logout()

    def test_uidl_matches_imap_uids(self):
        user = self.new_user()
        self.fill(user, ["p", "q"])
        imap = e2e.imap(self.server, user)
        typ, data = imap.status("INBOX", "(UIDVALIDITY)")
        uidvalidity = data[0].decode().split("UIDVALIDITY ")[1].rstrip(")")
        imap.select("INBOX", readonly=True)
        typ, data = imap.uid("SEARCH", "ALL")
        uids = data[0].decode().split()
        imap.logout()
        client = e2e.pop3(self.server, user)
        uidls = [l.decode().split()[1] for l in client.uidl()[1]]
        client.quit()
        self.assertEqual(uidls, ["%s.%s" % (uidvalidity, u) for u in uids])


class Pop3RestartTest(unittest.TestCase):
    def test_uidl_stable_across_restart(self):
        with e2e.Server() as server:
            server.create_user("stable", "pass")
            for i in range(3):
                e2e.deliver(server, ["stable@" + e2e.DOMAIN],
                            e2e.message("m%d" % i))
            client = e2e.pop3(server, "stable")
            before = client.uidl()[1]
            client.dele(1)
            client.quit()
            server.restart()
            client = e2e.pop3(server, "stable")
            after = client.uidl()[1]
            client.quit()
            self.assertEqual([l.split()[1] for l in after],
                             [l.split()[1] for l in before[1:]])


class Pop3PlaintextPolicyTest(unittest.TestCase):
    def test_plaintext_refused_without_tls(self):
        with e2e.Server(allow_plaintext_auth=False) as server:
            server.create_user("careful", "pass")
            client = poplib.POP3(server.host, server.pop3_port)
            self.assertNotIn("USER", client.capa())
            with self.assertRaises(poplib.error_proto) as err:
                client.user("careful")
            self.assertIn(b"[AUTH]", err.exception.args[0])
            ir = base64.b64encode(b"\0careful\0pass").decode()
            with self.assertRaises(poplib.error_proto) as err:
                client._shortcmd("AUTH PLAIN " + ir)
            self.assertIn(b"[AUTH]", err.exception.args[0])
            # After STLS the same login works.
            self.assertIn("STLS", client.capa())
            client.stls(server.tls_context())
            self.assertIn("USER", client.capa())
            client.user("careful")
            client.pass_("pass")
            self.assertEqual(client.stat(), (0, 0))
            client.quit()

    def test_implicit_tls_port(self):
        with e2e.Server(allow_plaintext_auth=False) as server:
            server.create_user("tlsuser", "pass")
            client = poplib.POP3_SSL(server.host, server.pop3s_port,
                                     context=server.tls_context())
            self.assertNotIn("STLS", client.capa())
            client.user("tlsuser")
            client.pass_("pass")
            client.quit()


if __name__ == "__main__":
    unittest.main()
