"""Set-up shared by the helpdesk tests: one mailroomd per test class with
IMAP and LMTP on ephemeral loopback ports, users, logged-in connections and
LMTP delivery.

With MAILROOM_HELPDESK_NODES=2 (and the RADOS engine) the class starts two
nodes of one store instead, and connections and deliveries alternate
between them: half the agents work on each node."""

import itertools
import os
import smtplib
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd, new_namespace
from tests.helpdesk.imap_wire import Connection

PASSWORD = "desk pass"
_ids = itertools.count()


class HelpdeskTestCase(unittest.TestCase):
    """Starts one daemon for the class; closes every connection per test."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        nodes = int(os.environ.get("MAILROOM_HELPDESK_NODES", "1"))
        namespace = new_namespace() if nodes > 1 else None
        cls.servers = []
        for n in range(nodes):
            server = Mailroomd(os.path.join(cls.tmp.name, "node%d" % n),
                               tls=False, plugins=("imap", "lmtp"),
                               allow_plaintext_auth=True,
                               rados_namespace=namespace)
            server.__enter__()
            cls.servers.append(server)
        # Administration goes through the first node.
        cls.server = cls.servers[0]
        cls._turn = itertools.count()

    @classmethod
    def tearDownClass(cls):
        try:
            for server in cls.servers:
                server.__exit__(None, None, None)
        finally:
            cls.tmp.cleanup()

    def next_server(self):
        """The node for the next connection or delivery, in turn."""
        return self.servers[next(self._turn) % len(self.servers)]

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
        conn = Connection(self.next_server().imap_port)
        self.connections.append(conn)
        if user:
            conn.login(user, PASSWORD)
        return conn

    def deliver(self, recipients, data):
        """One LMTP transaction; returns {recipient: (code, text)} for the
        refused ones (smtplib raises only when every recipient fails)."""
        with smtplib.LMTP("127.0.0.1", self.next_server().lmtp_port) as lmtp:
            return lmtp.sendmail("customer@example.com", recipients, data)


def address(user, mailbox=None):
    """The LMTP address that files into `mailbox` of `user` (user+detail)."""
    local = user if mailbox is None else "%s+%s" % (user, mailbox)
    return "%s@localhost" % local
