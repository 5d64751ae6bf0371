"""fetchmail (a real POP3 client) against mailroomd, with and without --keep.

Skips only when the fetchmail binary is missing (Debian package fetchmail).
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from tests.pop3 import e2e_support as e2e

FETCHMAIL = shutil.which("fetchmail")


@unittest.skipIf(FETCHMAIL is None, "fetchmail is not installed")
class FetchmailTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = e2e.Server()
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mr-fetchmail-", dir="/tmp")
        self.mbox = os.path.join(self.dir, "received")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fetch(self, user, keep):
        rcfile = os.path.join(self.dir, "fetchmailrc")
        with open(rcfile, "w") as f:
            f.write(
                "set no bouncemail\n"
                "set no syslog\n"
                "poll %s service %d protocol POP3 uidl auth password\n"
                "  user \"%s\" there with password \"pass\"\n"
                "  %s no sslcertck sslproto ''\n"
                "  mda \"cat >> %s\"\n"
                % (self.server.host, self.server.pop3_port, user,
                   "keep" if keep else "nokeep", self.mbox))
        os.chmod(rcfile, 0o600)
        env = dict(os.environ, HOME=self.dir, FETCHMAILHOME=self.dir)
        result = subprocess.run(
            [FETCHMAIL, "-f", rcfile, "--idfile",
             os.path.join(self.dir, "fetchids"), "--pidfile",
             os.path.join(self.dir, "fetchmail.pid"), "--nodetach"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            timeout=60)
        output = result.stdout.decode(errors="replace")
        # 0: mail retrieved, 1: no mail; anything else is a failure.
        self.assertIn(result.returncode, (0, 1), output)
        return result.returncode, output

    def received(self):
        if not os.path.exists(self.mbox):
            return b""
        with open(self.mbox, "rb") as f:
            return f.read()

    def deliver(self, user, subjects):
        for subject in subjects:
            self.assertEqual(e2e.deliver(self.server,
                                         ["%s@%s" % (user, e2e.DOMAIN)],
                                         e2e.message(subject)), {})

    def test_fetch_and_delete(self):
        self.server.create_user("fm1", "pass")
        self.deliver("fm1", ["first", "second"])
        code, output = self.fetch("fm1", keep=False)
        self.assertEqual(code, 0, output)
        data = self.received()
        self.assertIn(b"Subject: first", data)
        self.assertIn(b"Subject: second", data)
        self.assertEqual(e2e.imap_subjects(self.server, "fm1"), [])

    def test_fetch_and_keep(self):
        self.server.create_user("fm2", "pass")
        self.deliver("fm2", ["kept"])
        code, output = self.fetch("fm2", keep=True)
        self.assertEqual(code, 0, output)
        self.assertIn(b"Subject: kept", self.received())
        self.assertEqual(e2e.imap_subjects(self.server, "fm2"), ["kept"])
        # UIDL tells fetchmail the message is old: nothing new next time.
        code, output = self.fetch("fm2", keep=True)
        self.assertEqual(code, 1, output)
        self.deliver("fm2", ["newer"])
        code, output = self.fetch("fm2", keep=True)
        self.assertEqual(code, 0, output)
        self.assertEqual(self.received().count(b"Subject: kept"), 1)
        self.assertIn(b"Subject: newer", self.received())


if __name__ == "__main__":
    unittest.main()
