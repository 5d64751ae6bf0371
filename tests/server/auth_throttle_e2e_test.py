"""Password guessing is rate-limited before the hash runs.

Many connections from several source addresses (127.0.0.2 ... are loopback
on Linux; the client binds its source address and connects to 127.0.0.1)
guess alice's password while alice logs in from an address with no failures
and LMTP deliveries go on. The daemon logs every guess that reached the
password check ("authentication failed") and every guess refused before it
("authentication refused"): the first must stay within the budgets, the
real login must succeed and every delivery must arrive.
"""

import imaplib
import smtplib
import socket
import tempfile
import threading
import time
import unittest

from tests.harness.mailroomd import Mailroomd

PER_ADDRESS = 3
PER_USER = 10
ATTACK_ADDRESSES = ["127.0.0.%d" % i for i in range(2, 8)]
CONNECTIONS_PER_ADDRESS = 4
GUESSES_PER_CONNECTION = 3
DELIVERIES = 20


class BoundImap(imaplib.IMAP4):
    """IMAP4 whose socket has a chosen source address."""

    def __init__(self, source, port):
        self._source = source
        super().__init__("127.0.0.1", port, timeout=120)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self._source, 0))


def guess(source, port, outcomes, lock):
    imap = BoundImap(source, port)
    try:
        for n in range(GUESSES_PER_CONNECTION):
            try:
                imap.login("alice", "guess-%s-%d" % (source, n))
                result = "accepted"
            except imaplib.IMAP4.error as e:
                result = str(e)
            with lock:
                outcomes.append(result)
    finally:
        imap.logout()


class AuthThrottleTest(unittest.TestCase):
    def test_guessing_is_capped_while_the_owner_and_deliveries_get_through(self):
        try:
            probe = socket.create_connection(("127.0.0.1", 1), 1,
                                             source_address=("127.0.0.2", 0))
            probe.close()
        except ConnectionRefusedError:
            pass  # the bind worked, nothing listens on port 1
        except OSError as e:
            self.skipTest("cannot bind 127.0.0.2: %s" % e)

        with tempfile.TemporaryDirectory() as tmp, Mailroomd(
                tmp, tls=False, plugins=("imap", "lmtp"),
                extra_flags=(
                    "--auth_failures_per_address=%d" % PER_ADDRESS,
                    "--auth_failures_per_user=%d" % PER_USER,
                    # Nothing drains during the test.
                    "--auth_failure_window_seconds=3600",
                    "--auth_hash_threads=1",
                    "--auth_hash_queue=256",
                    "--max_connections_per_ip=0",
                )) as server:
            server.add_user("alice", "the-real-one")
            outcomes = []
            lock = threading.Lock()
            attackers = [
                threading.Thread(target=guess,
                                 args=(source, server.imap_port, outcomes,
                                       lock))
                for source in ATTACK_ADDRESSES
                for _ in range(CONNECTIONS_PER_ADDRESS)
            ]
            for t in attackers:
                t.start()

            # Wait until the throttle turns guesses away, then the owner
            # logs in from an address that never failed, while deliveries
            # run and the attack goes on.
            deadline = time.monotonic() + 120
            while "authentication refused for 'alice'" not in server.log():
                self.assertLess(time.monotonic(), deadline, server.log())
                time.sleep(0.05)

            delivered = []

            def deliver():
                lmtp = smtplib.LMTP("127.0.0.1", server.lmtp_port)
                for i in range(DELIVERIES):
                    refused = lmtp.sendmail(
                        "x@localhost", ["alice@localhost"],
                        "Subject: m%d\r\n\r\nbody %d\r\n" % (i, i))
                    self.assertEqual(refused, {})
                    delivered.append(i)
                lmtp.quit()

            delivery = threading.Thread(target=deliver)
            delivery.start()
            owner = BoundImap("127.0.0.1", server.imap_port)
            typ, _ = owner.login("alice", "the-real-one")
            self.assertEqual(typ, "OK")

            for t in attackers:
                t.join()
            delivery.join()
            self.assertEqual(len(delivered), DELIVERIES)

            typ, data = owner.select("INBOX")
            self.assertEqual(typ, "OK")
            self.assertEqual(int(data[0]), DELIVERIES)
            owner.logout()

            attempts = (len(ATTACK_ADDRESSES) * CONNECTIONS_PER_ADDRESS *
                        GUESSES_PER_CONNECTION)
            self.assertEqual(len(outcomes), attempts)
            self.assertNotIn("accepted", outcomes)
            # Every refusal looks like a wrong password to the client.
            for outcome in outcomes:
                self.assertIn("[AUTHENTICATIONFAILED]", outcome)

            log = server.log()
            checked = log.count("authentication failed for 'alice'")
            refused = log.count("authentication refused for 'alice'")
            self.assertEqual(checked + refused, attempts, log)
            # No address got more than its budget through to the hash.
            self.assertLessEqual(checked, len(ATTACK_ADDRESSES) * PER_ADDRESS)

    def test_over_long_user_names_fail_before_any_lookup(self):
        long_name = "a" * 17
        with tempfile.TemporaryDirectory() as tmp, Mailroomd(
                tmp, tls=False, plugins=("imap",),
                extra_flags=("--auth_max_user_bytes=16",)) as server:
            server.add_user(long_name, "pw")  # exists, yet is never checked
            server.add_user("a" * 16, "pw")
            imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
            with self.assertRaisesRegex(imaplib.IMAP4.error,
                                        r"\[AUTHENTICATIONFAILED\]"):
                imap.login(long_name, "pw")
            with self.assertRaisesRegex(imaplib.IMAP4.error,
                                        r"\[AUTHENTICATIONFAILED\]"):
                imap.authenticate(
                    "PLAIN", lambda _: ("\0%s\0pw" % long_name).encode())
            answers = iter([long_name.encode(), b"pw"])
            with self.assertRaisesRegex(imaplib.IMAP4.error,
                                        r"\[AUTHENTICATIONFAILED\]"):
                imap.authenticate("LOGIN", lambda _: next(answers))
            # A name at the limit is still checked.
            typ, _ = imap.login("a" * 16, "pw")
            self.assertEqual(typ, "OK")
            imap.logout()
            self.assertEqual(
                server.log().count("user name longer than 16 bytes"), 3)


if __name__ == "__main__":
    unittest.main()
