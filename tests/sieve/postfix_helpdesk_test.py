"""A helpdesk end to end: mail submitted to Postfix (swaks) goes over LMTP
to mailroomd, whose Sieve script files it into queues with flags, answers
with a vacation reply and redirects urgent mail to the on-call address; the
outbound relay delivers those two to an SMTP sink in this test.

Skips only when the postfix or swaks binary is missing.
"""
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from tests.harness.mailroomd import free_port
from tests.lmtp.postfix_instance import PostfixInstance, postfix_binary
from tests.pop3 import e2e_support as e2e
from tests.outbound.smtp_sink import SmtpSink

SWAKS = shutil.which("swaks")

HELPDESK = r'''require ["fileinto", "imap4flags", "mailbox", "vacation", "copy",
         "variables"];
if header :contains "subject" "urgent" {
  addflag "\\Flagged";
  redirect :copy "oncall@far.example";
}
if header :matches "subject" "*[#*]*" { addflag "$Ticket"; }
vacation :days 1 :subject "We got your message" "A person will answer soon.";
if header :contains "subject" ["invoice", "refund"] {
  fileinto :create "Queues/Billing";
} elsif header :contains "subject" ["login", "password"] {
  fileinto :create "Queues/Accounts";
}
'''


@unittest.skipIf(postfix_binary() is None, "postfix is not installed")
@unittest.skipIf(SWAKS is None, "swaks is not installed")
class PostfixHelpdeskTest(unittest.TestCase):
    def swaks(self, port, to, sender, subject):
        result = subprocess.run(
            [SWAKS, "--server", "127.0.0.1:%d" % port, "--to", to,
             "--from", sender, "--header", "Subject: " + subject,
             "--body", "please help", "--hide-all"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout.decode())

    def flags(self, server, user, mailbox):
        client = e2e.imap(server, user)
        try:
            typ, _ = client.select('"%s"' % mailbox, readonly=True)
            if typ != "OK":
                return []
            _, data = client.uid("FETCH", "1:*", "(FLAGS)")
            return [re.search(rb"FLAGS \(([^)]*)\)", d).group(1).decode()
                    for d in data if d]
        finally:
            client.logout()

    def test_helpdesk(self):
        sink = SmtpSink()
        self.addCleanup(sink.close)
        with e2e.Server(extra_flags=[
                "--sieve_smtp=127.0.0.1:%d" % sink.port,
                "--sieve_smtp_tls=none"]) as server:
            server.create_user("desk", "pass")
            with tempfile.NamedTemporaryFile("w", suffix=".sieve",
                                             delete=False) as f:
                f.write(HELPDESK)
            server.ctl("sieve", "put", "desk", "helpdesk", f.name)
            server.ctl("sieve", "activate", "desk", "helpdesk")
            os.unlink(f.name)
            port = free_port()
            lmtp = "inet:127.0.0.1:%d" % server.lmtp_port
            to = "desk@" + e2e.DOMAIN
            with PostfixInstance(port, lmtp, e2e.DOMAIN) as postfix:
                self.swaks(port, to, "ann@far.example", "urgent: invoice [#77]")
                self.swaks(port, to, "ann@far.example", "login broken")
                self.swaks(port, to, "ben@far.example", "hello")
                deadline = time.time() + 60
                while True:
                    billing = self.flags(server, "desk", "Queues/Billing")
                    accounts = self.flags(server, "desk", "Queues/Accounts")
                    inbox = self.flags(server, "desk", "INBOX")
                    if len(billing) + len(accounts) + len(inbox) == 3:
                        break
                    self.assertLess(time.time(), deadline, postfix.read_log())
                    time.sleep(0.2)
            self.assertEqual(len(billing), 1)
            self.assertIn("\\Flagged", billing[0])
            self.assertIn("$Ticket", billing[0])
            self.assertEqual(len(accounts), 1)
            self.assertEqual(len(inbox), 1)
            # One redirect (urgent) and one vacation reply per sender.
            got = sink.wait_for(3, timeout=60)
            time.sleep(1)
            self.assertEqual(len(sink.messages), 3, sink.messages)
            # The sink keeps paths as sent, angle brackets included.
            redirects = [m for m in got if m[1] == ["<oncall@far.example>"]]
            self.assertEqual(len(redirects), 1, [(m[0], m[1]) for m in got])
            self.assertEqual(redirects[0][0], "<ann@far.example>")
            self.assertIn(b"Subject: urgent: invoice [#77]", redirects[0][2])
            replies = sorted(m[1][0] for m in got if m[0] == "<>")
            self.assertEqual(replies, ["<ann@far.example>", "<ben@far.example>"])
            for m in got:
                if m[0] == "<>":
                    self.assertIn(b"Auto-Submitted: auto-replied", m[2])
                    self.assertIn(b"Subject: We got your message", m[2])


if __name__ == "__main__":
    unittest.main()
