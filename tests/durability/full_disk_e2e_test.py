"""A full disk: clients get temporary errors (LMTP 452 4.3.1, IMAP NO
[LIMIT]), nothing acknowledged is lost, mail stays readable, and once space
returns the daemon takes writes again by itself, no restart: the store keeps
a reserve of free space (min_free_disk_bytes) and refuses mail below it.

The store lives on a small tmpfs mounted by the test (it runs as root, out
of the sandbox) and is filled up with a file."""

import errno
import os
import subprocess
import tempfile
import unittest

from tests.durability import mail_clients as mc
from tests.harness.mailroomd import Mailroomd

USER = "bob"
ADDRESS = "bob@localhost"
DISK_BYTES = 256 << 20  # RocksDB preallocates its log (~70 MiB); mailroomctl keeps a 64 MiB reserve
RESERVE_BYTES = 4 << 20


def fill(path):
    """Writes `path` until the file system refuses another byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for chunk in (1 << 20, 4096, 1):
            data = b"\0" * chunk
            while True:
                try:
                    os.write(fd, data)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)


class FullDiskE2eTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.disk = os.path.join(self.tmp.name, "disk")
        os.makedirs(self.disk)
        subprocess.run(["mount", "-t", "tmpfs", "-o",
                        "size=%d" % DISK_BYTES, "tmpfs", self.disk],
                       check=True)

    def tearDown(self):
        subprocess.run(["umount", "-l", self.disk], check=False)
        self.tmp.cleanup()

    def test_full_disk_refuses_cleanly_and_recovers(self):
        server = Mailroomd(
            self.tmp.name, tls=False, plugins=("imap", "lmtp"),
            extra_flags=["--min_free_disk_bytes=%d" % RESERVE_BYTES])
        server.data_dir = os.path.join(self.disk, "data")
        server.add_user(USER, "pw")
        server.start()
        try:
            self.scenario(server)
        finally:
            server.stop()
        verify = server.ctl("verify", check=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)

    def scenario(self, server):
        acked = []

        def deliver(i, expect):
            subject = "disk-%d" % i
            reply = mc.lmtp_deliver(
                server.lmtp_port, ADDRESS,
                mc.message(subject, mc.word(i), filler=64 << 10))
            self.assertTrue(reply.startswith(expect),
                            reply + "\n" + server.log()[-3000:])
            if reply.startswith("250"):
                acked.append(subject)

        for i in range(6):
            deliver(i, "250 ")
        # The disk fills up with other data until less than the store's
        # reserve is left: mail stops, while RocksDB's own background work
        # (flushes, compactions) still has room. (A disk filled to the last
        # byte stops RocksDB until the daemon restarts; see the README.)
        filler = os.path.join(self.disk, "filler")
        fill(filler)
        os.truncate(filler, os.path.getsize(filler) - RESERVE_BYTES // 2)

        deliver(100, "452 4.3.1 ")
        client = mc.imap_login(server.imap_port, USER, "pw")
        typ, _ = client.select("INBOX")
        self.assertEqual(typ, "OK")
        typ, data = client.append("INBOX", None, None,
                                  mc.message("disk-101", mc.word(101)))
        self.assertEqual(typ, "NO", data)
        self.assertIn(b"[LIMIT]", data[0])
        typ, data = client.uid("STORE", "1", "+FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "NO", data)
        self.assertIn(b"[LIMIT]", data[0])
        # Reading goes on; a search answers (from the messages if the index
        # cannot take its queued work).
        self.assertEqual(set(mc.subjects_and_flags(client)), set(acked))
        for i in range(6):
            self.assertEqual(len(mc.search_body(client, mc.word(i))), 1)
        # Refused, still refused: nothing gets in half-way.
        deliver(102, "452 4.3.1 ")

        os.unlink(filler)

        # Room again: the same daemon takes writes at once, no restart.
        deliver(105, "250 ")
        typ, data = client.append("INBOX", None, None,
                                  mc.message("disk-104", mc.word(104)))
        self.assertEqual(typ, "OK", data)
        acked.append("disk-104")
        client.select("INBOX")
        typ, data = client.uid("STORE", "1", "+FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "OK", data)

        found = mc.subjects_and_flags(client)
        self.assertEqual(set(found), set(acked))
        self.assertIn("\\Flagged", found["disk-0"])
        for subject in acked:
            word = mc.word(int(subject.split("-", 1)[1]))
            self.assertEqual(len(mc.search_body(client, word)), 1, word)
        # And all of it is on disk: a restart finds the same.
        client.logout()
        server.restart()
        client = mc.imap_login(server.imap_port, USER, "pw")
        client.select("INBOX")
        self.assertEqual(set(mc.subjects_and_flags(client)), set(acked))
        for refused in (100, 101, 102):
            self.assertEqual(mc.search_body(client, mc.word(refused)), [])
        client.logout()


if __name__ == "__main__":
    unittest.main()
