"""LMTP against a real mailroomd: delivery paths, errors, atomicity.

Deliveries are read back over IMAP (and POP3) from the same store.
"""
import smtplib
import time
import unittest

from tests.pop3 import e2e_support as e2e

MAX_MESSAGE = 200000


class LmtpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = e2e.Server(
            extra_flags=["--max_literal_bytes=%d" % MAX_MESSAGE])
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def new_user(self):
        name = "l%d" % (int(time.time() * 1e6) % 10**9)
        self.server.create_user(name, "pass")
        return name

    def addr(self, user):
        return "%s@%s" % (user, e2e.DOMAIN)

    def test_lhlo_capabilities(self):
        with smtplib.LMTP(self.server.host, self.server.lmtp_port) as lmtp:
            code, _ = lmtp.ehlo("client.test")
            self.assertEqual(code, 250)
            for ext in ("pipelining", "enhancedstatuscodes", "8bitmime",
                        "smtputf8", "chunking", "size"):
                self.assertTrue(lmtp.has_extn(ext), ext)
            self.assertEqual(int(lmtp.esmtp_features["size"]), MAX_MESSAGE)

    def test_delivery_adds_trace_fields(self):
        user = self.new_user()
        data = e2e.message("traced", "line\r\n..dotted\r\n")
        self.assertEqual(e2e.deliver(self.server, [self.addr(user)], data,
                                     sender="bounce@example.org"), {})
        [stored] = e2e.imap_messages(self.server, user)
        self.assertTrue(stored.startswith(b"Return-Path: <bounce@example.org>"))
        self.assertIn(b"Delivered-To: " + self.addr(user).encode(), stored)
        self.assertTrue(stored.endswith(b"line\r\n..dotted\r\n"))

    def test_ten_recipients_one_body(self):
        users = [self.new_user() for _ in range(10)]
        data = e2e.message("for ten")
        self.assertEqual(
            e2e.deliver(self.server, [self.addr(u) for u in users], data), {})
        bodies = [e2e.imap_messages(self.server, u) for u in users]
        for body in bodies:
            self.assertEqual(len(body), 1)
            self.assertEqual(body[0], bodies[0][0])  # the same bytes
            self.assertNotIn(b"Delivered-To", body[0])

    def test_per_recipient_replies(self):
        user = self.new_user()
        conn = e2e.RawLine(self.server.host, self.server.lmtp_port)
        conn.smtp_reply()
        conn.send("LHLO t\r\n")
        conn.smtp_reply()
        conn.send("MAIL FROM:<s@example.org>\r\nRCPT TO:<%s>\r\n"
                  "RCPT TO:<nobody-here@%s>\r\nRCPT TO:<%s@elsewhere.example>\r\n"
                  "RCPT TO:<%s>\r\nDATA\r\n"
                  % (self.addr(user), e2e.DOMAIN, user, self.addr(user)))
        self.assertTrue(conn.line().startswith("250"))
        self.assertTrue(conn.line().startswith("250"))
        self.assertTrue(conn.line().startswith("550 5.1.1"))
        self.assertTrue(conn.line().startswith("550 5.1.2"))
        self.assertTrue(conn.line().startswith("250"))
        self.assertTrue(conn.line().startswith("354"))
        conn.send(e2e.message("twice") + ".\r\n")
        self.assertTrue(conn.line().startswith("250 2.0.0"))
        self.assertTrue(conn.line().startswith("250 2.0.0"))
        conn.cmd("QUIT")
        conn.close()

    def test_detail_goes_to_folder(self):
        # Only a folder granting `p` to anyone takes +detail mail.
        user = self.new_user()
        imap = e2e.imap(self.server, user)
        imap.create("Lists")
        self.assertEqual(imap.setacl("Lists", "anyone", "p")[0], "OK")
        imap.logout()
        e2e.deliver(self.server, ["%s+Lists@%s" % (user, e2e.DOMAIN)],
                    e2e.message("to folder"))
        e2e.deliver(self.server, ["%s+nofolder@%s" % (user, e2e.DOMAIN)],
                    e2e.message("to inbox"))
        self.assertEqual(e2e.imap_subjects(self.server, user, "Lists"),
                         ["to folder"])
        self.assertEqual(e2e.imap_subjects(self.server, user), ["to inbox"])

    def test_detail_folder_without_post_right_goes_to_inbox(self):
        user = self.new_user()
        imap = e2e.imap(self.server, user)
        imap.create("Private")
        imap.logout()
        e2e.deliver(self.server, ["%s+Private@%s" % (user, e2e.DOMAIN)],
                    e2e.message("not posted"))
        self.assertEqual(e2e.imap_subjects(self.server, user, "Private"), [])
        self.assertEqual(e2e.imap_subjects(self.server, user), ["not posted"])

    def test_message_too_large(self):
        user = self.new_user()
        big = e2e.message("big", ("x" * 998 + "\r\n") * (MAX_MESSAGE // 1000 + 5))
        # smtplib declares SIZE=, so MAIL FROM is refused at once.
        with smtplib.LMTP(self.server.host, self.server.lmtp_port) as lmtp:
            with self.assertRaises(smtplib.SMTPSenderRefused) as err:
                lmtp.sendmail("s@example.org", [self.addr(user)], big)
            self.assertEqual(err.exception.smtp_code, 552)
            self.assertIn(b"5.3.4", err.exception.smtp_error)
        # Without SIZE= the whole DATA is read, then refused per recipient.
        refused = e2e.deliver(self.server, [self.addr(user)], big)
        code, text = refused[self.addr(user)]
        self.assertEqual(code, 552)
        self.assertIn(b"5.3.4", text)
        self.assertEqual(e2e.imap_subjects(self.server, user), [])

    def test_over_quota(self):
        user = self.new_user()
        self.server.set_quota(user, storage_bytes=1000)
        data = e2e.message("quota", "q" * 2000 + "\r\n")
        refused = e2e.deliver(self.server, [self.addr(user)], data)
        code, text = refused[self.addr(user)]
        self.assertEqual(code, 552)
        self.assertIn(b"5.2.2", text)

    def test_bdat(self):
        user = self.new_user()
        conn = e2e.RawLine(self.server.host, self.server.lmtp_port)
        conn.smtp_reply()
        conn.send("LHLO t\r\n")
        conn.smtp_reply()
        part1 = e2e.message("chunked", "")
        part2 = "second chunk\r\n"
        conn.send("MAIL FROM:<s@example.org> BODY=BINARYMIME\r\n"
                  "RCPT TO:<%s>\r\nBDAT %d\r\n%sBDAT %d LAST\r\n%s"
                  % (self.addr(user), len(part1), part1, len(part2), part2))
        self.assertTrue(conn.line().startswith("250"))
        self.assertTrue(conn.line().startswith("250"))
        self.assertTrue(conn.line().startswith("250"))
        self.assertTrue(conn.line().startswith("250 2.0.0"))
        conn.close()
        [stored] = e2e.imap_messages(self.server, user)
        self.assertTrue(stored.endswith((part1 + part2).encode()))

    def test_dropped_connection_stores_nothing(self):
        user = self.new_user()
        conn = e2e.RawLine(self.server.host, self.server.lmtp_port)
        conn.smtp_reply()
        conn.send("LHLO t\r\n")
        conn.smtp_reply()
        conn.send("MAIL FROM:<s@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n"
                  % self.addr(user))
        conn.line(), conn.line(), conn.line()
        conn.send("Subject: cut short\r\n\r\nhalf a message")
        conn.close()
        time.sleep(0.3)
        self.assertEqual(e2e.imap_subjects(self.server, user), [])

    def test_unix_socket(self):
        user = self.new_user()
        conn = e2e.RawLine(unix_path=self.server.lmtp_socket)
        self.assertTrue(conn.line().startswith("220"))
        conn.send("LHLO t\r\n")
        conn.smtp_reply()
        conn.send("MAIL FROM:<>\r\nRCPT TO:<%s>\r\nDATA\r\n" % self.addr(user))
        self.assertTrue(conn.line().startswith("250"))
        self.assertTrue(conn.line().startswith("250"))
        self.assertTrue(conn.line().startswith("354"))
        conn.send(e2e.message("over unix") + ".\r\n")
        self.assertTrue(conn.line().startswith("250 2.0.0"))
        conn.close()
        self.assertEqual(e2e.imap_subjects(self.server, user), ["over unix"])

    def test_delivery_wakes_imap_idle(self):
        user = self.new_user()
        imap = e2e.imap(self.server, user)
        imap.select("INBOX")
        tag = imap._new_tag().decode()
        imap.send(("%s IDLE\r\n" % tag).encode())
        self.assertTrue(imap.readline().startswith(b"+"))
        e2e.deliver(self.server, [self.addr(user)], e2e.message("idle"))
        imap.sock.settimeout(10)
        self.assertIn(b"EXISTS", imap.readline())
        imap.send(b"DONE\r\n")
        imap.sock.settimeout(30)
        while not imap.readline().startswith(tag.encode()):
            pass
        imap.logout()


class LmtpCrashTest(unittest.TestCase):
    def test_killed_delivery_leaves_nothing(self):
        with e2e.Server() as server:
            server.create_user("crash", "pass")
            conn = e2e.RawLine(server.host, server.lmtp_port)
            conn.smtp_reply()
            conn.send("LHLO t\r\nMAIL FROM:<s@example.org>\r\n"
                      "RCPT TO:<crash@%s>\r\nDATA\r\n" % e2e.DOMAIN)
            conn.smtp_reply()
            conn.line(), conn.line(), conn.line()
            conn.send("Subject: never\r\n\r\n" + "x" * 100000)
            server.kill()
            conn.close()
            server.restart()
            self.assertEqual(e2e.imap_subjects(server, "crash"), [])
            e2e.deliver(server, ["crash@" + e2e.DOMAIN], e2e.message("after"))
            self.assertEqual(e2e.imap_subjects(server, "crash"), ["after"])


if __name__ == "__main__":
    unittest.main()
