"""Sieve at LMTP delivery against a real mailroomd.

Scripts are installed with `mailroomctl sieve put/activate`; messages go in
over LMTP and are read back over IMAP.
"""
import os
import re
import tempfile
import time
import unittest

from tests.pop3 import e2e_support as e2e


class SieveLmtpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = e2e.Server()
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def new_user(self):
        name = "s%d" % (int(time.time() * 1e6) % 10**9)
        self.server.create_user(name, "pass")
        return name

    def addr(self, user):
        return "%s@%s" % (user, e2e.DOMAIN)

    def put(self, user, text, name="main", activate=True):
        with tempfile.NamedTemporaryFile("w", suffix=".sieve",
                                         delete=False) as f:
            f.write(text)
        try:
            if user is None:
                self.server.ctl("sieve", "put", "--global", name, f.name)
            else:
                self.server.ctl("sieve", "put", user, name, f.name)
                if activate:
                    self.server.ctl("sieve", "activate", user, name)
        finally:
            os.unlink(f.name)

    def mailbox_flags(self, user, mailbox):
        client = e2e.imap(self.server, user)
        try:
            typ, _ = client.select(mailbox, readonly=True)
            if typ != "OK":
                return None
            _, data = client.uid("FETCH", "1:*", "(FLAGS)")
            return [re.search(rb"FLAGS \(([^)]*)\)", d).group(1).decode()
                    for d in data if d]
        finally:
            client.logout()

    def test_fileinto_with_flags(self):
        # RFC 5228 fileinto, RFC 5232 flags, RFC 5490 :create.
        user = self.new_user()
        self.put(user, 'require ["fileinto", "imap4flags", "mailbox"];\r\n'
                       'if header :contains "subject" "invoice" {\r\n'
                       '  fileinto :create :flags ["\\\\Flagged", "$Invoice"]'
                       ' "Billing";\r\n}\r\n')
        self.assertEqual(e2e.deliver(self.server, [self.addr(user)],
                                     e2e.message("Invoice 7")), {})
        self.assertEqual(e2e.imap_subjects(self.server, user), [])
        [flags] = self.mailbox_flags(user, "Billing")
        self.assertIn("\\Flagged", flags)
        self.assertIn("$Invoice", flags)

    def test_reject_for_one_recipient_only(self):
        alice, bob = self.new_user(), self.new_user()
        self.put(alice, 'require "reject"; reject "Not here, sorry";')
        refused = e2e.deliver(self.server, [self.addr(alice), self.addr(bob)],
                              e2e.message("for both"))
        self.assertEqual(list(refused), [self.addr(alice)])
        code, text = refused[self.addr(alice)]
        self.assertEqual(code, 550)
        self.assertTrue(text.startswith(b"5.7.1 "), text)
        self.assertIn(b"Not here, sorry", text)
        self.assertEqual(e2e.imap_subjects(self.server, bob), ["for both"])
        self.assertEqual(e2e.imap_subjects(self.server, alice), [])

    def test_discard(self):
        user = self.new_user()
        self.put(user, 'if header :contains "subject" "spam" { discard; }')
        e2e.deliver(self.server, [self.addr(user)], e2e.message("spam offer"))
        e2e.deliver(self.server, [self.addr(user)], e2e.message("hello"))
        self.assertEqual(e2e.imap_subjects(self.server, user), ["hello"])

    def test_runtime_failure_keeps(self):
        user = self.new_user()
        self.put(user, 'require "include"; include "missing"; discard;')
        self.assertEqual(e2e.deliver(self.server, [self.addr(user)],
                                     e2e.message("kept anyway")), {})
        self.assertEqual(e2e.imap_subjects(self.server, user), ["kept anyway"])

    def test_global_before_and_after(self):
        user = self.new_user()
        self.put(None, 'require ["fileinto", "mailbox"];\r\n'
                       'if header :is "x-spam" "yes" '
                       '{ fileinto :create "Junk"; }\r\n', name="before")
        self.put(None, 'require "imap4flags"; keep :flags "$Checked";',
                 name="after")
        try:
            self.put(user, 'require "imap4flags"; addflag "$Mine";')
            e2e.deliver(self.server, [self.addr(user)],
                        e2e.message("junk", extra_headers="X-Spam: yes\r\n"))
            e2e.deliver(self.server, [self.addr(user)], e2e.message("ham"))
            self.assertEqual(e2e.imap_subjects(self.server, user, "Junk"),
                             ["junk"])
            self.assertEqual(e2e.imap_subjects(self.server, user), ["ham"])
            [flags] = self.mailbox_flags(user, "INBOX")
            # The keep of the last script (after) is carried out.
            self.assertIn("$Checked", flags)
        finally:
            self.server.ctl("sieve", "delete", "--global", "before",
                            check=False)
            self.server.ctl("sieve", "delete", "--global", "after",
                            check=False)


if __name__ == "__main__":
    unittest.main()
