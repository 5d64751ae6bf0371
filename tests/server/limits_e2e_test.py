"""Memory bounds and login deadlines of a real mailroomd.

A flood of unauthenticated connections pushing big literals (with LITERAL+
and synchronizing) must be refused at once and leave the daemon's memory
flat; after login only APPEND may carry a large literal; a client that sends
NOOP-like commands forever is still logged out at the pre-login deadline in
IMAP, POP3 and LMTP (before LHLO).
"""

import imaplib
import os
import socket
import tempfile
import threading
import time
import unittest

from tests.harness.mailroomd import Mailroomd

MIB = 1024 * 1024
DEADLINE_SECONDS = 2


def proc_kib(pid, field):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s for pid %d" % (field, pid))


class Client:
    """A line-oriented raw socket client."""

    def __init__(self, port, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.buffer = b""

    def line(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed; had %r" % self.buffer)
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def lines_until(self, prefix):
        seen = []
        while True:
            line = self.line()
            seen.append(line)
            if line.startswith(prefix):
                return seen

    def closed(self):
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


class ServerTest(unittest.TestCase):
    """One daemon per test class, with small command limits."""

    deadline_seconds = DEADLINE_SECONDS

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, tls=False, extra_flags=[
            "--max_connections_per_ip=0",
            "--unauthenticated_timeout_seconds=%d" % cls.deadline_seconds,
            "--lmtp_lhlo_timeout_seconds=%d" % cls.deadline_seconds,
            "--max_command_bytes=65536",
            "--max_preauth_command_bytes=4096",
        ])
        cls.server.start()
        cls.server.add_user("alice", "secret")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()


class LiteralFloodTest(ServerTest):
    # The flood's connections must not meet the deadline while they connect.
    deadline_seconds = 120

    # ---- the literal flood ------------------------------------------------
    def flood(self, connections, literal_bytes, synchronizing):
        """Every connection announces a big literal; returns the replies."""
        replies = [None] * connections
        payload = b"x" * literal_bytes
        start = threading.Barrier(connections)

        def one(i):
            client = Client(self.server.imap_port)
            try:
                client.line()  # greeting
                start.wait()
                marker = "" if synchronizing else "+"
                client.send("f%d LOGIN {%d%s}\r\n" % (i, literal_bytes, marker))
                if not synchronizing:
                    try:
                        client.send(payload)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # refused before we were done: as intended
                replies[i] = client.lines_until("f%d " % i)
                if not synchronizing:
                    replies[i].append("closed" if client.closed() else "open")
            except (EOFError, ConnectionResetError) as e:
                replies[i] = ["error: %s" % e]
            finally:
                client.close()

        threads = [threading.Thread(target=one, args=(i,))
                   for i in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        return replies

    def test_unauthenticated_literal_flood_keeps_memory_flat(self):
        pid = self.server.pid
        # Warm up allocator and threads so the baseline is fair.
        self.flood(4, 4096, synchronizing=True)
        rss_before = proc_kib(pid, "VmRSS")
        replies = self.flood(40, 8 * MIB, synchronizing=False)
        for i, lines in enumerate(replies):
            self.assertTrue(lines[-2].startswith("f%d BAD [TOOBIG]" % i),
                            lines)
            self.assertEqual(lines[-1], "closed")
        replies = self.flood(40, 8 * MIB, synchronizing=True)
        for i, lines in enumerate(replies):
            self.assertTrue(lines[-1].startswith("f%d BAD [TOOBIG]" % i),
                            lines)
            self.assertFalse(any(l.startswith("+") for l in lines), lines)
        peak = proc_kib(pid, "VmHWM")
        # 80 connections pushed 320 MiB of literals; a few MiB of sessions
        # and read buffers may remain.
        self.assertLess(peak - rss_before, 32 * 1024,
                        "peak %d KiB, before %d KiB" % (peak, rss_before))



class LimitsTest(ServerTest):
    # ---- after login ------------------------------------------------------
    def test_after_login_only_append_takes_a_large_literal(self):
        client = Client(self.server.imap_port)
        client.line()
        client.send("a LOGIN alice secret\r\n")
        self.assertTrue(client.lines_until("a ")[-1].startswith("a OK"))
        client.send("b CREATE {%d}\r\n" % (2 * MIB))
        reply = client.lines_until("b ")
        self.assertEqual(
            reply[-1], "b BAD [TOOBIG] Command exceeds the limit of 65536 bytes")
        client.send("c NOOP\r\n")
        self.assertEqual(client.lines_until("c ")[-1], "c OK NOOP completed")
        client.close()

        message = (b"Subject: large\r\n\r\n" +
                   (b"0123456789abcdef" * 64 + b"\r\n") * 3200)
        self.assertGreater(len(message), 3 * MIB)
        imap = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
        imap.login("alice", "secret")
        typ, _ = imap.append("INBOX", None, None, message)
        self.assertEqual(typ, "OK")
        typ, data = imap.status("INBOX", "(SIZE)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"SIZE %d" % len(message), data[0])
        imap.logout()

    def test_client_that_never_reads_cannot_grow_the_output_queue(self):
        imap = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
        imap.login("alice", "secret")
        imap.create("backlog")
        message = b"Subject: backlog\r\n\r\n" + (b"y" * 1022 + b"\r\n") * 1024
        self.assertEqual(imap.append("backlog", None, None, message)[0], "OK")
        imap.logout()

        client = Client(self.server.imap_port)
        client.line()
        client.send("a LOGIN alice secret\r\nb SELECT backlog\r\n")
        client.lines_until("b ")
        rss_before = proc_kib(self.server.pid, "VmRSS")
        # 400 FETCHes of a 1 MiB message, never read: 400 MiB of responses
        # if the server kept reading commands while its output backs up.
        client.sock.settimeout(3)
        try:
            client.send("".join("f%d FETCH 1 BODY.PEEK[]\r\n" % i
                                for i in range(400)))
        except socket.timeout:
            pass
        time.sleep(2)
        growth = proc_kib(self.server.pid, "VmRSS") - rss_before
        client.close()
        self.assertLess(growth, 32 * 1024, "grew %d KiB" % growth)

    # ---- pre-login deadlines ---------------------------------------------
    def keep_busy(self, port, command, ending):
        """Sends `command` every 0.2 s; returns the line that ended it."""
        client = Client(port)
        client.line()
        client.sock.settimeout(1)
        give_up = time.monotonic() + 8 * DEADLINE_SECONDS
        try:
            while time.monotonic() < give_up:
                try:
                    client.send(command)
                except (BrokenPipeError, ConnectionResetError):
                    break
                try:
                    line = client.line()
                except (EOFError, ConnectionResetError):
                    break
                if ending(line):
                    return line
                time.sleep(0.2)
            return None
        finally:
            client.close()

    def test_imap_noop_client_is_logged_out_at_the_deadline(self):
        line = self.keep_busy(self.server.imap_port, "n NOOP\r\n",
                              lambda l: l.startswith("* BYE"))
        self.assertEqual(line, "* BYE Autologout; login took too long")

    def test_pop3_busy_client_is_logged_out_at_the_deadline(self):
        line = self.keep_busy(self.server.pop3_port, "NOOP\r\n",
                              lambda l: "Autologout" in l)
        self.assertEqual(line, "-ERR Autologout; login took too long")

    def test_pop3_long_line_before_login_is_refused(self):
        client = Client(self.server.pop3_port)
        client.line()
        client.send("USER " + "u" * 6000 + "\r\nUSER alice\r\n")
        self.assertEqual(client.line(), "-ERR Line too long")
        self.assertTrue(client.line().startswith("+OK"))
        client.close()

    def test_lmtp_noop_before_lhlo_is_cut_off(self):
        line = self.keep_busy(self.server.lmtp_port, "NOOP\r\n",
                              lambda l: l.startswith("421"))
        self.assertEqual(line, "421 4.4.2 No LHLO in time; closing connection")


if __name__ == "__main__":
    unittest.main()
