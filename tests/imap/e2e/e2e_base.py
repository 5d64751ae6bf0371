"""Shared set-up of the IMAP end-to-end tests: one mailroomd per test class
(tests/harness/mailroomd.py), fresh users per test, raw and imaplib clients.
"""

import itertools
import os
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd
from tests.imap.e2e.imap_client import ImapClient

PASSWORD = "pass word"
_ids = itertools.count()


class ImapTestCase(unittest.TestCase):
    """Starts one daemon for the class. Subclasses may set SERVER_ARGS."""

    SERVER_ARGS = {"allow_plaintext_auth": True}
    HOST = "127.0.0.1"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, tls=True, plugins=("imap",),
                               **cls.SERVER_ARGS)
        cls.server.__enter__()
        cls.server.host = cls.HOST

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.__exit__(None, None, None)
        finally:
            cls.tmp.cleanup()

    def setUp(self):
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()

    def new_user(self):
        name = "u%d_%d" % (os.getpid(), next(_ids))
        self.server.add_user(name, PASSWORD)
        return name

    def connect(self, tls=False):
        port = self.server.imaps_port if tls else self.server.imap_port
        client = ImapClient(port, host=self.server.host, tls=tls)
        self.clients.append(client)
        return client

    def session(self, user=None):
        """A logged-in raw client (and the user name)."""
        user = user or self.new_user()
        client = self.connect()
        client.login(user, PASSWORD)
        return client, user
