"""Online backup against a running mailroomd that keeps delivering.

A thread delivers over LMTP without pause and records when each delivery was
acknowledged. `mailroomctl backup create` runs meanwhile (through the admin
socket); the backup is restored into a new directory and served by a second
mailroomd: every delivery acknowledged before the backup began is there,
none acknowledged after it ended, no message twice, and text search finds
restored mail.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from tests.pop3.e2e_support import Server, deliver, imap, message

USER = "alice"
PASSWORD = "pass"


class Deliverer(threading.Thread):
    """Delivers numbered messages until stopped; `acked` holds
    (number, monotonic time of the acknowledgement)."""

    def __init__(self, server, first):
        super().__init__(daemon=True)
        self.server = server
        self.next = first
        self.acked = []
        self.errors = []
        self.stop_event = threading.Event()

    def run(self):
        while not self.stop_event.is_set():
            n = self.next
            self.next += 1
            try:
                refused = deliver(self.server, ["%s@localhost" % USER],
                                  message("msg-%d" % n,
                                          "payload word%dz\r\n" % n))
            except OSError as e:  # the daemon was killed
                self.errors.append(str(e))
                return
            if refused:
                self.errors.append("msg-%d refused: %r" % (n, refused))
                continue
            self.acked.append((n, time.monotonic()))

    def stop(self):
        self.stop_event.set()
        self.join(60)


def subjects_by_uid(server):
    client = imap(server, USER, PASSWORD)
    try:
        typ, data = client.select("INBOX", readonly=True)
        assert typ == "OK", data
        exists = int(data[0])
        typ, status = client.status("INBOX", "(MESSAGES)")
        assert typ == "OK", status
        messages = int(re.search(rb"MESSAGES (\d+)", status[0]).group(1))
        typ, data = client.uid("FETCH", "1:*",
                               "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects = {}
        for item in data:
            if isinstance(item, tuple):
                uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
                m = re.search(rb"Subject: ?(.*?)\r?\n", item[1])
                subjects[uid] = m.group(1).decode()
        return subjects, exists, messages
    finally:
        client.logout()


def search_body(server, text):
    client = imap(server, USER, PASSWORD)
    try:
        client.select("INBOX", readonly=True)
        typ, data = client.uid("SEARCH", "BODY", text)
        assert typ == "OK", data
        return data[0].split()
    finally:
        client.logout()


class BackupE2eTest(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="mr-backup-", dir="/tmp")
        self.backup_dir = os.path.join(self.scratch, "backups")

    def tearDown(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def test_backup_while_delivering_restores_every_acknowledged_message(self):
        with Server() as live:
            live.create_user(USER, PASSWORD)
            # Some mail before, then deliveries that do not stop.
            for n in range(100):
                self.assertEqual(deliver(live, ["%s@localhost" % USER],
                                         message("msg-%d" % n,
                                                 "payload word%dz\r\n" % n)),
                                 {})
            before = [(n, time.monotonic()) for n in range(100)]
            deliverer = Deliverer(live, 100)
            deliverer.start()
            time.sleep(0.5)
            began = time.monotonic()
            result = live.ctl("backup", "create", self.backup_dir, "--json")
            ended = time.monotonic()
            time.sleep(0.5)
            deliverer.stop()
            self.assertEqual(deliverer.errors, [])
            info = json.loads(result.stdout)
            self.assertTrue(info["ok"])
            self.assertEqual(info["id"], 1)
            self.assertGreater(info["bytes"], 0)
            self.assertGreater(info["new_bytes"], 0)
            acked = before + deliverer.acked
            must_have = {n for n, t in acked if t < began}
            must_not = {n for n, t in acked if t > ended}
            self.assertGreater(len(deliverer.acked), 0)

            listed = json.loads(live.ctl("backup", "list", self.backup_dir,
                                         "--json").stdout)
            self.assertEqual([b["id"] for b in listed["backups"]], [1])
            self.assertTrue(listed["backups"][0]["index"])
            # Backup files are private to their owner.
            for root, dirs, files in os.walk(self.backup_dir):
                for name in dirs + files:
                    mode = os.stat(os.path.join(root, name)).st_mode
                    self.assertEqual(mode & 0o077, 0, os.path.join(root, name))

            # A restore never writes into a directory that holds something,
            # such as the live store.
            refused = live.ctl("backup", "restore", self.backup_dir,
                               "--target_data_dir=" + live.data_dir,
                               check=False)
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn("not empty", refused.stderr)

            restored = Server()
            try:
                out = live.ctl("backup", "restore", self.backup_dir,
                               "--target_data_dir=" + restored.data_dir)
                self.assertIn("restored backup 1", out.stdout)
                with restored:
                    subjects, exists, messages = subjects_by_uid(restored)
                    uid_of = {int(s.split("-")[1]): uid
                              for uid, s in subjects.items()}
                    numbers = [int(s.split("-")[1])
                               for s in subjects.values()]
                    self.assertEqual(len(numbers), len(set(numbers)),
                                     "a message restored twice")
                    self.assertEqual(exists, len(numbers))
                    self.assertEqual(messages, len(numbers))
                    self.assertEqual(must_have - set(numbers), set(),
                                     "acknowledged before the backup, lost")
                    self.assertEqual(must_not & set(numbers), set(),
                                     "acknowledged after the backup, present")
                    # Text search on the restored index (and queue).
                    some = sorted(must_have)[len(must_have) // 2]
                    uid = uid_of[some]
                    self.assertEqual(search_body(restored, "word%dz" % some),
                                     [str(uid).encode()])
                    if must_not:
                        self.assertEqual(
                            search_body(restored,
                                        "word%dz" % min(must_not)), [])
                    self.assertEqual(len(search_body(restored, "payload")),
                                     len(numbers))
            finally:
                shutil.rmtree(restored.dir, ignore_errors=True)

    def test_kill9_during_backup_leaves_earlier_backups_usable(self):
        filler = "".join("filler %06d of a large message body\r\n" % i
                         for i in range(12000))  # ~430 KB, blob files
        with Server() as live:
            live.create_user(USER, PASSWORD)

            def deliver_range(first, last):
                for n in range(first, last):
                    self.assertEqual(
                        deliver(live, ["%s@localhost" % USER],
                                message("msg-%d" % n,
                                        "payload word%dz\r\n%s" % (n, filler))),
                        {})

            deliver_range(0, 40)
            live.ctl("backup", "create", self.backup_dir)
            deliver_range(40, 100)
            # Kill the daemon as soon as the second backup has started
            # copying the store (its private directory appears once the
            # index copy is done).
            ctl = subprocess.Popen(
                [live.mailroomctl, "--data_dir=" + live.data_dir,
                 "backup", "create", self.backup_dir],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            index_root = os.path.join(self.backup_dir, "mailroom_index")
            private = os.path.join(self.backup_dir, "private")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and ctl.poll() is None:
                if set(os.listdir(private)) - {"1"}:
                    break
                time.sleep(0.002)
            live.kill9()
            ctl.communicate(timeout=60)

            listed = json.loads(live.ctl("backup", "list", self.backup_dir,
                                         "--json").stdout)
            ids = [b["id"] for b in listed["backups"]]
            self.assertEqual(ids[0], 1)
            first = Server()
            self.addCleanup(shutil.rmtree, first.dir, True)
            live.ctl("backup", "restore", self.backup_dir, "--id=1",
                     "--target_data_dir=" + first.data_dir)

            # The daemon comes back; the next backup reclaims what the
            # killed one left and succeeds.
            live.start()
            after = json.loads(live.ctl("backup", "create", self.backup_dir,
                                        "--json").stdout)
            self.assertGreater(after["id"], ids[-1])
            self.assertEqual(
                [n for n in os.listdir(index_root) if n.startswith("partial.")],
                [])
            latest = Server()
            self.addCleanup(shutil.rmtree, latest.dir, True)
            live.ctl("backup", "restore", self.backup_dir,
                     "--target_data_dir=" + latest.data_dir)

        for restored, count in ((first, 40), (latest, 100)):
            with restored:
                subjects, _, _ = subjects_by_uid(restored)
                self.assertEqual(
                    sorted(int(s.split("-")[1]) for s in subjects.values()),
                    list(range(count)))
                self.assertEqual(len(search_body(restored, "word7z")), 1)


if __name__ == "__main__":
    unittest.main()
