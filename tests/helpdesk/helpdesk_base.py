"""Set-up shared by the helpdesk tests: one mailroomd per test class with
IMAP and LMTP on ephemeral loopback ports, users, logged-in connections and
LMTP delivery."""

import itertools
import os
import smtplib
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd
from tests.helpdesk.imap_wire import Connection

PASSWORD = "desk pass"
_ids = itertools.count()


class HelpdeskTestCase(unittest.TestCase):
    """Starts one daemon for the class; closes every connection per test."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, tls=False,
                               plugins=("imap", "lmtp"),
                               allow_plaintext_auth=True)
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.__exit__(None, None, None)
        finally:
            cls.tmp.cleanup()

    def setUp(self):
        self.connections = []

    def tearDown(self):
        for c in self.connections:
            c.close()

    def new_user(self, prefix="u"):
        name = "%s%d_%d" % (prefix, os.getpid() % 10000, next(_ids))
        self.server.add_user(name, PASSWORD)
        return name

    def connect(self, user=None):
        """A logged-in connection (IMAP4rev1 responses)."""
        conn = Connection(self.server.imap_port)
        self.connections.append(conn)
        if user:
            conn.login(user, PASSWORD)
        return conn

    def deliver(self, recipients, data):
        """One LMTP transaction; returns {recipient: (code, text)} for the
        refused ones (smtplib raises only when every recipient fails)."""
        with smtplib.LMTP("127.0.0.1", self.server.lmtp_port) as lmtp:
            return lmtp.sendmail("customer@example.com", recipients, data)


def address(user, mailbox=None):
    """The LMTP address that files into `mailbox` of `user` (user+detail)."""
    local = user if mailbox is None else "%s+%s" % (user, mailbox)
    return "%s@localhost" % local
