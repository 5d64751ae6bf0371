"""A node that loses its cluster answers with temporary errors, never a wrong
answer, and recovers by itself.

Freezes every OSD of the cluster MAILROOM_RADOS_CONF names (SIGSTOP) while a
mailroomd with a 3 s RADOS operation timeout serves a logged-in IMAP session
and LMTP: APPEND must answer NO [UNAVAILABLE] and LMTP a 4xx, and once the
OSDs run again (SIGCONT) the same sessions work without a restart and the
mail stored before is all there. Exclusive: no other test runs meanwhile.
"""

import os
import signal
import smtplib
import subprocess
import tempfile
import time
import unittest

from tests.harness.mailroomd import Mailroomd
from tests.imap.e2e.imap_client import ImapClient, message, subjects

PASSWORD = "loss-secret"


def osd_pids(cluster_dir):
    found = subprocess.run(["pgrep", "-f", "ceph-osd.*%s" % cluster_dir],
                           capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


class ClusterLossTest(unittest.TestCase):

    def test_temporary_errors_then_recovery(self):
        os.environ["MAILROOM_TEST_ENGINE"] = "rados"
        conf = os.environ.get("MAILROOM_RADOS_CONF", "")
        self.assertTrue(conf, "MAILROOM_RADOS_CONF is not set")
        pids = osd_pids(os.path.dirname(conf))
        # Two when osd_failure_test ran before: Bazel ends whatever a test
        # leaves running, the OSD that test restarted included.
        self.assertGreaterEqual(len(pids), 2, "the cluster's OSDs not found")
        with tempfile.TemporaryDirectory() as tmp, Mailroomd(
                tmp, tls=False,
                extra_flags=["--rados_op_timeout_seconds=3"]) as node:
            node.add_user("agent", PASSWORD)
            imap = ImapClient(node.imap_port, timeout=60)
            imap.login("agent", PASSWORD)
            imap.append("INBOX", message("before"))
            imap.ok("SELECT INBOX")
            try:
                for pid in pids:
                    os.kill(pid, signal.SIGSTOP)
                tagged = imap.append("INBOX", message("during"))
                self.assertIn("NO [UNAVAILABLE]", tagged)
                with smtplib.LMTP("127.0.0.1", node.lmtp_port) as lmtp:
                    with self.assertRaises(smtplib.SMTPException) as refused:
                        lmtp.sendmail("x@example.com", ["agent@localhost"],
                                      message("during lmtp"))
                    codes = str(refused.exception)
                    self.assertRegex(codes, r"\b4\d\d\b", codes)
            finally:
                for pid in pids:
                    os.kill(pid, signal.SIGCONT)
            # The same session and node recover without a restart.
            deadline = time.monotonic() + 90
            while True:
                tagged = imap.append("INBOX", message("after"))
                if " OK " in tagged or time.monotonic() > deadline:
                    break
                time.sleep(1)
            self.assertIn(" OK ", tagged)
            stored = subjects(imap)
            self.assertIn("before", stored)
            self.assertIn("after", stored)


if __name__ == "__main__":
    unittest.main()
