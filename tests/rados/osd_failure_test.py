"""One OSD of three stops under delivery: service goes on, nothing
acknowledged is lost, and the OSD comes back.

Kills osd.1 of the cluster MAILROOM_RADOS_CONF names (its directory is the
one scripts/ceph_dev_cluster.sh made) while a mailroomd on RADOS takes LMTP
deliveries, keeps delivering with two OSDs (the pool is size 3, min_size 2),
restarts the OSD, and then reads every acknowledged message back. The
target is exclusive: no other test runs while an OSD is down. The OSD it
restarts lives only as long as the test (Bazel ends every process a test
leaves behind); the cluster goes on with two, as a pool of min_size 2 may.
"""

import os
import smtplib
import subprocess
import tempfile
import threading
import time
import unittest

from tests.harness.mailroomd import Mailroomd
from tests.imap.e2e.imap_client import ImapClient, message, subjects

PASSWORD = "osd-secret"


def cluster_script():
    here = os.path.dirname(os.path.abspath(__file__))
    for root in (os.environ.get("TEST_SRCDIR", ""), here):
        path = os.path.join(root, "mailroom", "scripts", "ceph_dev_cluster.sh")
        if os.path.exists(path):
            return path
    return os.path.join(here, "..", "..", "scripts", "ceph_dev_cluster.sh")


class OsdFailureTest(unittest.TestCase):

    def test_delivery_goes_on_with_one_osd_down(self):
        os.environ["MAILROOM_TEST_ENGINE"] = "rados"
        conf = os.environ.get("MAILROOM_RADOS_CONF", "")
        self.assertTrue(conf, "MAILROOM_RADOS_CONF is not set")
        cluster_dir = os.path.dirname(conf)
        script = cluster_script()
        with tempfile.TemporaryDirectory() as tmp, \
                Mailroomd(tmp, tls=False) as node:
            node.add_user("agent", PASSWORD)
            acknowledged = []
            failures = []
            stop = threading.Event()

            def deliver():
                n = 0
                while not stop.is_set():
                    try:
                        with smtplib.LMTP("127.0.0.1", node.lmtp_port) as lmtp:
                            while not stop.is_set():
                                subject = "osd-%d" % n
                                n += 1
                                lmtp.sendmail("x@example.com",
                                              ["agent@localhost"],
                                              message(subject))
                                acknowledged.append((time.monotonic(), subject))
                    except (smtplib.SMTPException, OSError) as e:
                        # Not acknowledged: a temporary failure is allowed.
                        failures.append(str(e))
                        time.sleep(0.1)

            thread = threading.Thread(target=deliver)
            thread.start()
            try:
                time.sleep(2)
                subprocess.run([script, "kill-osd", cluster_dir, "1"],
                               check=True, timeout=60)
                killed = time.monotonic()
                time.sleep(6)
                acks_while_down = [s for t, s in acknowledged if t > killed]
            finally:
                subprocess.run([script, "start-osd", cluster_dir, "1"],
                               check=True, timeout=180)
                stop.set()
                thread.join(60)
            self.assertGreater(len(acks_while_down), 0,
                               "no delivery was acknowledged with an OSD down")

            reader = ImapClient(node.imap_port)
            reader.login("agent", PASSWORD)
            reader.ok("EXAMINE INBOX")
            found = set(subjects(reader))
            missing = [s for _, s in acknowledged if s not in found]
            self.assertEqual(missing, [], "acknowledged but lost")


if __name__ == "__main__":
    unittest.main()
