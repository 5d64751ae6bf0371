"""Everything in the data dir is private to the daemon's user: after
deliveries, indexing, a backup and an export, no file or directory there is
readable by the group or others. The one documented exception is the LMTP
socket, whose mode is lmtp_socket_mode (the MTA may connect by group)."""

import imaplib
import os
import smtplib
import stat
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd


def open_entries(root, allowed=()):
    """Paths under root (root included) that group or others may access."""
    found = []
    for directory, dirs, files in os.walk(root):
        for path in [directory] + [os.path.join(directory, n) for n in files]:
            if path in allowed:
                continue
            try:
                mode = os.lstat(path).st_mode
            except FileNotFoundError:
                continue  # removed meanwhile (a RocksDB compaction, say)
            if stat.S_ISLNK(mode):
                continue
            if mode & 0o077:
                found.append("%s %o" % (os.path.relpath(path, root),
                                        stat.S_IMODE(mode)))
    return found


class FileModesTest(unittest.TestCase):
    def test_data_dir_is_private(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)
            server = Mailroomd(tmp)
            for name in ("imap", "lmtp"):
                if not server.has_plugin(name):
                    self.skipTest(name + " plugin not built")
            # The LMTP socket inside the data dir, with group access.
            server.lmtp_socket = os.path.join(server.data_dir, "lmtp.sock")
            with server:
                server.add_user("alice", "secret")
                for lmtp in (smtplib.LMTP(server.lmtp_socket),
                             smtplib.LMTP("127.0.0.1", server.lmtp_port)):
                    for i in range(3):
                        lmtp.sendmail("x@localhost", ["alice@localhost"],
                                      "Subject: note %d\r\n\r\nzebra %d\r\n"
                                      % (i, i))
                    lmtp.quit()
                server.ctl("reindex", "alice")
                imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
                imap.login("alice", "secret")
                imap.select("INBOX")
                typ, data = imap.search(None, "BODY", "zebra")
                self.assertEqual(typ, "OK")
                self.assertEqual(len(data[0].split()), 6)
                imap.append("Drafts", None, None,
                            b"Subject: draft\r\n\r\nbody\r\n")
                imap.logout()
                server.ctl("backup", "create",
                           os.path.join(server.data_dir, "backups"))
                server.ctl("export", "alice", "--format=maildir",
                           os.path.join(server.data_dir, "export"))
                socket_mode = stat.S_IMODE(os.stat(server.lmtp_socket).st_mode)
                self.assertEqual(socket_mode, 0o660)
                admin = os.path.join(server.data_dir, "admin.sock")
                if os.path.exists(admin):
                    self.assertEqual(stat.S_IMODE(os.stat(admin).st_mode),
                                     0o600)
                self.assertEqual(
                    open_entries(server.data_dir, {server.lmtp_socket}), [])
            # Also what shutdown writes (the socket file stays behind).
            self.assertEqual(
                open_entries(server.data_dir, {server.lmtp_socket}), [])
            self.assertNotIn("warning: data dir", server.log())

    def test_socket_mode_setting_and_open_data_dir_warning(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = Mailroomd(tmp, tls=False,
                               extra_flags=["--lmtp_socket_mode=0600"])
            if not server.has_plugin("lmtp"):
                self.skipTest("LMTP plugin not built")
            os.makedirs(server.data_dir, mode=0o755)
            os.chmod(server.data_dir, 0o755)
            with server:
                self.assertEqual(
                    stat.S_IMODE(os.stat(server.lmtp_socket).st_mode), 0o600)
                self.assertIn("warning: data dir", server.log())


if __name__ == "__main__":
    unittest.main()
