"""NeoMutt, a terminal client, driven in tmux against a server that offers
COMPRESS=DEFLATE: it lists the mailbox, opens a message, and the \\Seen it
sets reaches the server. (Debian's NeoMutt is built without zlib, so it
reads the capability and goes on uncompressed, which is what most clients
do.)"""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

from tests.imap.e2e.e2e_base import ImapTestCase, PASSWORD
from tests.imap.e2e.imap_client import ImapClient, message

NEOMUTT = shutil.which("neomutt")
TMUX = shutil.which("tmux")

MUTTRC = """\
set folder = "imap://{user}@127.0.0.1:{port}/"
set spoolfile = "+INBOX"
set imap_user = "{user}"
set imap_pass = "{password}"
set imap_authenticators = "login"
set ssl_starttls = no
set ssl_force_tls = no
set header_cache = ""
set message_cachedir = ""
set sort = date
set mark_old = no
set quit = yes
set wait_key = no
set pager_stop = yes
"""


class NeoMuttTest(ImapTestCase):

    def tmux(self, *args):
        return subprocess.run([TMUX, "-L", self.socket] + list(args),
                              capture_output=True, text=True, timeout=30)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "mutt").stdout

    def wait_for(self, text, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        self.fail("%r never appeared; the screen:\n%s" % (text, self.screen()))

    @unittest.skipIf(NEOMUTT is None or TMUX is None,
                     "neomutt or tmux is not installed")
    def test_lists_reads_and_marks_seen(self):
        user = self.new_user()
        c = ImapClient(self.server.imap_port)
        self.clients.append(c)
        c.login(user, PASSWORD)
        subjects = ["terminal subject %d" % i for i in range(3)]
        for i, subject in enumerate(subjects):
            self.assertIn("OK", c.append(
                "INBOX", message(subject, "body line of message %d\r\n" % i)))
        caps = c.ok("CAPABILITY")
        self.assertTrue(any("COMPRESS=DEFLATE" in l for l in caps), caps)

        self.socket = "mailroom-%d" % os.getpid()
        with tempfile.TemporaryDirectory() as home:
            rc = os.path.join(home, "muttrc")
            with open(rc, "w") as f:
                f.write(MUTTRC.format(user=user, port=self.server.imap_port,
                                      password=PASSWORD))
            env = dict(os.environ, HOME=home, TERM="xterm", LANG="C.UTF-8")
            started = subprocess.run(
                [TMUX, "-L", self.socket, "new-session", "-d", "-s", "mutt",
                 "-x", "160", "-y", "40", NEOMUTT + " -n -F " + rc],
                env=env, capture_output=True, text=True, timeout=30)
            self.assertEqual(started.returncode, 0, started.stderr)
            try:
                for subject in subjects:
                    self.wait_for(subject)
                # Open the newest message (sorted by date, it is selected
                # after moving to the last line), then leave NeoMutt, which
                # writes the \Seen it set back to the server.
                self.tmux("send-keys", "-t", "mutt", "*")
                self.tmux("send-keys", "-t", "mutt", "Enter")
                self.wait_for("body line of message 2")
                self.tmux("send-keys", "-t", "mutt", "q")
                self.wait_for(subjects[0])
                self.tmux("send-keys", "-t", "mutt", "q")
                deadline = time.monotonic() + 30
                while (time.monotonic() < deadline and
                       self.tmux("has-session", "-t", "mutt").returncode == 0):
                    time.sleep(0.2)
            finally:
                self.tmux("kill-server")

        c.ok("EXAMINE INBOX")
        lines = c.ok("UID FETCH 1:* (FLAGS)")
        seen = [l for l in lines if "\\Seen" in l]
        self.assertEqual(len(seen), 1, lines)
        self.assertIn("UID 3", seen[0])
        self.assertIn(user, self.server.log())


if __name__ == "__main__":
    unittest.main()
