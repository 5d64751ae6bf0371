"""mailroomctl's daily admin commands against a running mailroomd: mailbox
rename, the message query language (search), fetch, flags, expunge by save
date, who/kick, and --json for every command."""

import base64
import datetime
import imaplib
import json
import os
import poplib
import tempfile
import time
import unittest

from tests.harness.mailroomd import Mailroomd

DAY = 86400


def message(sender, subject, body, extra=""):
    return ("From: %s\r\nTo: alice@example.com\r\nSubject: %s\r\n"
            "Message-ID: <%s@example.com>\r\n%s\r\n%s\r\n" %
            (sender, subject, subject.replace(" ", "."), extra,
             body)).encode()


def imap_date(days_ago=0, iso=None):
    if iso is not None:
        stamp = datetime.datetime.fromisoformat(iso).replace(
            tzinfo=datetime.timezone.utc).timestamp()
    else:
        stamp = time.time() - days_ago * DAY
    return imaplib.Time2Internaldate(stamp)


class AdminOpsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, plugins=("imap", "pop3"))
        if not cls.server.has_plugin("imap") or not cls.server.has_plugin(
                "pop3"):
            raise unittest.SkipTest("IMAP/POP3 plugins not built")
        cls.server.start()
        cls.server.ctl("user", "add", "alice", "--password=pw")
        imap = cls.login()
        imap.create("Work")
        imap.create("Trash")
        # INBOX: UIDs 1..4.
        imap.append("INBOX", None, imap_date(iso="2020-01-01T10:00:00"),
                    message("bob@example.com", "hello one", "first body"))
        imap.append("INBOX", "(\\Flagged)",
                    imap_date(iso="2024-06-15T12:00:00"),
                    message("carol@example.com", "meeting notes",
                            "agenda: budget " + "x" * 2000))
        imap.append("INBOX", "(\\Seen)", imap_date(iso="2024-07-01T08:00:00"),
                    message("bob@example.com", "(draft) plan", "plan body",
                            "X-Priority: high\r\n"))
        imap.append("INBOX", "(\\Seen \\Answered)",
                    imap_date(iso="2025-03-03T09:00:00"),
                    message("dave@example.com", "lunch", "caf\xe9 at noon"))
        imap.append("Work", None, imap_date(iso="2024-06-20T12:00:00"),
                    message("bob@example.com", "report", "numbers"))
        imap.logout()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    @classmethod
    def login(cls):
        imap = imaplib.IMAP4("127.0.0.1", cls.server.imap_port)
        imap.login("alice", "pw")
        return imap

    def ctl(self, *args, check=True):
        return self.server.ctl(*args, check=check)

    def ctl_json(self, *args, code=0):
        result = self.ctl(*(args + ("--json",)), check=False)
        self.assertEqual(result.returncode, code,
                         "%s: %s %s" % (args, result.stdout, result.stderr))
        doc = json.loads(result.stdout)
        self.assertEqual(doc["ok"], code == 0, doc)
        return doc

    def uids(self, mailbox, *query):
        doc = self.ctl_json("search", "alice", mailbox, *query)
        self.assertEqual(len(doc["results"]), 1)
        return doc["results"][0]["uids"]

    def imap_flags(self, imap, uid):
        typ, data = imap.uid("FETCH", str(uid), "(FLAGS)")
        self.assertEqual(typ, "OK")
        # \Recent belongs to this session, not to the stored message.
        return {f.decode() for f in imaplib.ParseFlags(data[0])} - {"\\Recent"}

    def test_rename(self):
        self.ctl("mailbox", "create", "alice", "Old")
        out = self.ctl("mailbox", "rename", "alice", "Old", "Archive/2024")
        self.assertIn("renamed", out.stdout)
        names = [m["name"] for m in
                 self.ctl_json("mailbox", "list", "alice")["mailboxes"]]
        self.assertIn("Archive/2024", names)
        self.assertNotIn("Old", names)
        imap = self.login()
        typ, data = imap.list()
        self.assertTrue(any(b"Archive/2024" in line for line in data))
        imap.logout()
        bad = self.ctl("mailbox", "rename", "alice", "Nope", "Other",
                       check=False)
        self.assertEqual(bad.returncode, 1)

    def test_help_is_a_request_only_as_the_command_word(self):
        usage = self.ctl("help")
        self.assertIn("usage: mailroomctl", usage.stdout)
        self.ctl("user", "add", "help", "--password=pw")
        names = self.ctl_json("user", "list")["users"]
        self.assertIn("help", names)
        imap = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
        imap.login("help", "pw")
        imap.logout()
        self.ctl("user", "del", "help")

    def test_search_query_forms(self):
        self.assertEqual(self.uids("INBOX", "from", "bob"), [1, 3])
        self.assertEqual(self.uids("INBOX", "FROM", "bob", "seen"), [3])
        self.assertEqual(self.uids("INBOX", "from", "bob", "or", "flagged"),
                         [1, 2, 3])
        self.assertEqual(self.uids("INBOX", "or", "flagged", "answered"),
                         [2, 4])
        self.assertEqual(self.uids("INBOX", "not", "(from", "bob",
                                   "or", "from", "carol)"), [4])
        self.assertEqual(self.uids("INBOX", "(", "seen", ")", "not",
                                   "answered"), [3])
        self.assertEqual(self.uids("INBOX", "uid", "2:*"), [2, 3, 4])
        self.assertEqual(self.uids("INBOX", "uid", "1,3:3,9"), [1, 3])
        self.assertEqual(self.uids("INBOX", "uid", "*"), [4])
        self.assertEqual(self.uids("INBOX", "before", "2021-01-01"), [1])
        self.assertEqual(self.uids("INBOX", "since", "2024-07-01"), [3, 4])
        self.assertEqual(self.uids("INBOX", "on", "2024-06-15"), [2])
        self.assertEqual(self.uids("INBOX", "larger", "1k"), [2])
        self.assertEqual(self.uids("INBOX", "smaller", "1k", "unseen"), [1])
        self.assertEqual(self.uids("INBOX", "subject", "(draft)"), [3])
        self.assertEqual(self.uids("INBOX", "header", "X-Priority", "HIGH"),
                         [3])
        self.assertEqual(self.uids("INBOX", "body", "budget"), [2])
        self.assertEqual(self.uids("INBOX", "text", "noon"), [4])
        self.assertEqual(self.uids("INBOX", "all"), [1, 2, 3, 4])
        self.assertEqual(self.uids("INBOX", "savedsince", "1d"),
                         [1, 2, 3, 4])
        self.assertEqual(self.uids("INBOX", "savedbefore", "1d"), [])
        # Text output: one UID a line; '*' prefixes the mailbox.
        self.assertEqual(self.ctl("search", "alice", "INBOX", "from",
                                  "bob").stdout, "1\n3\n")
        every = self.ctl("search", "alice", "*", "from", "bob").stdout
        self.assertIn("INBOX\t1\n", every)
        self.assertIn("Work\t1\n", every)
        doc = self.ctl_json("search", "alice", "*", "subject", "report")
        self.assertEqual(doc["count"], 1)

    def test_search_errors(self):
        for query in (["frob"], ["from"], ["before", "yesterday"],
                      ["(seen"], ["seen)"], ["uid", "x"], ["larger", "big"],
                      ["or", "seen"]):
            result = self.ctl("search", "alice", "INBOX", *query, check=False)
            self.assertEqual(result.returncode, 2, query)
            self.assertIn("query:", result.stderr)
        doc = self.ctl_json("search", "alice", "INBOX", "frob", code=2)
        self.assertEqual(doc["code"], "USAGE")
        self.assertIn("unknown key 'frob'", doc["error"])
        doc = self.ctl_json("search", "alice", "Nope", "all", code=1)
        self.assertIn("error", doc)

    def test_fetch(self):
        doc = self.ctl_json("fetch", "alice", "INBOX", "uid", "4",
                            "--fields=uid,flags,size,date,saved,subject,"
                            "from,to,message-id,hdr,body,text")
        self.assertEqual(doc["count"], 1)
        m = doc["messages"][0]
        self.assertEqual(m["uid"], 4)
        self.assertEqual(m["flags"], "\\Seen \\Answered")
        self.assertEqual(m["subject"], "lunch")
        self.assertEqual(m["from"], "dave@example.com")
        self.assertEqual(m["to"], "alice@example.com")
        self.assertEqual(m["message-id"], "<lunch@example.com>")
        self.assertTrue(m["date"].startswith("2025-03-03T09:00:00"))
        self.assertTrue(m["saved"].startswith(
            datetime.datetime.now(datetime.timezone.utc).strftime("%Y-")))
        self.assertIn("caf\u00e9 at noon", m["body"])
        self.assertTrue(m["hdr"].startswith("From: dave@example.com\r\n"))
        self.assertEqual(m["text"], m["hdr"] + m["body"])
        self.assertEqual(m["size"], len(m["text"].encode()))
        raw = self.ctl_json("fetch", "alice", "INBOX", "uid", "4",
                            "--fields=body", "--base64")["messages"][0]
        self.assertEqual(base64.b64decode(raw["body_base64"]),
                         "caf\u00e9 at noon\r\n".encode())
        text = self.ctl("fetch", "alice", "INBOX", "from", "bob",
                        "--fields", "uid,subject").stdout
        self.assertEqual(text, "uid: 1\nsubject: hello one\n\f\n"
                               "uid: 3\nsubject: (draft) plan\n\f\n")
        bad = self.ctl("fetch", "alice", "INBOX", "all", "--fields=uid,nope",
                       check=False)
        self.assertEqual(bad.returncode, 2)

    def test_flags(self):
        self.ctl("mailbox", "create", "alice", "Flags")
        imap = self.login()
        for n in range(3):
            imap.append("Flags", None, None,
                        message("x@example.com", "f%d" % n, "b"))
        doc = self.ctl_json("flags", "add", "alice", "Flags", "uid", "1:2",
                            "--", "\\Flagged", "$Label1")
        self.assertEqual(doc["changed"], 2)
        imap.select("Flags")
        self.assertEqual(self.imap_flags(imap, 1), {"\\Flagged", "$Label1"})
        self.assertEqual(self.imap_flags(imap, 3), set())
        out = self.ctl("flags", "remove", "alice", "Flags", "keyword",
                       "$label1", "--flags=$Label1").stdout
        self.assertIn("flags changed on 2 of 2", out)
        self.assertEqual(self.imap_flags(imap, 2), {"\\Flagged"})
        doc = self.ctl_json("flags", "replace", "alice", "Flags", "all",
                            "--flags=\\Seen \\Draft")
        self.assertEqual(doc["matched"], 3)
        for uid in (1, 2, 3):
            self.assertEqual(self.imap_flags(imap, uid), {"\\Seen", "\\Draft"})
        imap.logout()
        for bad in (["flags", "add", "alice", "Flags", "all", "--"],
                    ["flags", "add", "alice", "Flags", "all", "--",
                     "\\Bogus"],
                    ["flags", "toggle", "alice", "Flags", "all", "--", "x"],
                    ["flags", "add", "alice", "Flags", "all"]):
            self.assertEqual(self.ctl(*bad, check=False).returncode, 2, bad)

    def test_expunge_by_save_date(self):
        self.ctl("mailbox", "create", "alice", "Bin")
        imap = self.login()
        # Old internal date, but saved just now: stays.
        imap.append("Bin", None, imap_date(days_ago=60),
                    message("x@example.com", "old but new here", "b"))
        imap.append("Bin", None, None,
                    message("x@example.com", "fresh", "b"))
        # Saved 40 days ago (an administrator's restore keeps save dates).
        path = os.path.join(self.tmp.name, "restored.eml")
        with open(path, "wb") as f:
            f.write(message("x@example.com", "restored", "b"))
        saved = self.ctl_json("save", "alice", "Bin", path, "--saved=40d",
                              "--date=2020-05-05")
        self.assertEqual(saved["uid"], 3)
        # A copy is saved now; it keeps the internal date.
        imap.select("Bin")
        typ, _ = imap.uid("COPY", "3", "Bin")
        self.assertEqual(typ, "OK")
        self.assertEqual(self.uids("Bin", "savedbefore", "30d"), [3])
        self.assertEqual(self.uids("Bin", "savedon", "2099-01-01"), [])
        self.assertEqual(self.uids("Bin", "before", "30d"), [1, 3, 4])
        doc = self.ctl_json("expunge", "alice", "Bin", "savedbefore", "30d")
        self.assertEqual(doc["expunged"], 1)
        imap.noop()
        typ, data = imap.uid("SEARCH", None, "ALL")
        self.assertEqual(data[0].split(), [b"1", b"2", b"4"])
        out = self.ctl("expunge", "alice", "Bin", "before", "30d").stdout
        self.assertIn("expunged 2 message(s)", out)
        imap.noop()
        typ, data = imap.uid("SEARCH", None, "ALL")
        self.assertEqual(data[0].split(), [b"2"])
        imap.logout()
        # No query: refused, nothing lost.
        self.assertEqual(self.ctl("expunge", "alice", "Bin",
                                  check=False).returncode, 2)
        self.assertEqual(self.uids("Bin", "all"), [2])

    def test_who_and_kick(self):
        self.ctl("user", "add", "walt", "--password=pw2")
        imap = imaplib.IMAP4("127.0.0.1", self.server.imap_port)
        imap.login("walt", "pw2")
        pop = poplib.POP3("127.0.0.1", self.server.pop3_port)
        pop.user("walt")
        pop.pass_("pw2")
        doc = self.ctl_json("who", "walt")
        sessions = sorted(doc["sessions"], key=lambda s: s["protocol"])
        self.assertEqual([s["protocol"] for s in sessions], ["imap", "pop3"])
        for s in sessions:
            self.assertEqual(s["user"], "walt")
            self.assertEqual(s["remote"], "127.0.0.1")
            self.assertLessEqual(abs(s["since_unix"] - time.time()), 300)
        self.assertIn("walt", self.ctl("who").stdout)
        doc = self.ctl_json("kick", "walt")
        self.assertEqual(doc["kicked"], 2)
        # The IMAP client sees BYE or the end of the connection.
        with self.assertRaises((imaplib.IMAP4.abort, OSError, EOFError)):
            for _ in range(50):
                imap.noop()
                time.sleep(0.1)
        deadline = time.time() + 10
        while time.time() < deadline:
            if not self.ctl_json("who", "walt")["sessions"]:
                break
            time.sleep(0.1)
        self.assertEqual(self.ctl_json("who", "walt")["sessions"], [])
        self.assertEqual(self.ctl_json("kick", "nobody")["kicked"], 0)
        self.assertEqual(self.ctl("kick", check=False).returncode, 2)

    def test_json_for_every_command(self):
        path = os.path.join(self.tmp.name, "json.eml")
        with open(path, "wb") as f:
            f.write(message("j@example.com", "json", "b"))
        commands = [
            ("user", "add", "jay", "--password=pw"),
            ("user", "passwd", "jay", "--password=pw3"),
            ("user", "list"),
            ("mailbox", "create", "jay", "J"),
            ("mailbox", "list", "jay"),
            ("mailbox", "rename", "jay", "J", "K"),
            ("mailbox", "status", "jay", "K"),
            ("mailbox", "seen-mode", "jay", "K", "per-user"),
            ("acl", "set", "jay", "K", "alice", "lr"),
            ("acl", "get", "jay", "K"),
            ("acl", "delete", "jay", "K", "alice"),
            ("quota", "set", "jay", "--storage_bytes=100000"),
            ("quota", "get", "jay"),
            ("group", "set", "staff", "jay", "alice"),
            ("index", "status"),
            ("reindex", "jay"),
            ("retention", "apply", "--after_arrival_days=3650"),
            ("save", "jay", "K", path),
            ("search", "jay", "K", "all"),
            ("fetch", "jay", "K", "all"),
            ("flags", "add", "jay", "K", "all", "--", "\\Seen"),
            ("expunge", "jay", "K", "all"),
            ("who",),
            ("kick", "jay"),
            ("mailbox", "delete", "jay", "K"),
            ("user", "del", "jay"),
        ]
        for command in commands:
            doc = self.ctl_json(*command)
            self.assertIsInstance(doc, dict, command)
        self.assertEqual(self.ctl_json("quota", "get", "alice")["user"],
                         "alice")
        failures = [
            ("user", "del", "nobody"),
            ("mailbox", "status", "alice", "Nope"),
            ("mailbox", "delete", "alice", "Nope"),
            ("acl", "get", "alice", "Nope"),
            ("quota", "get", "nobody"),
            ("reindex", "nobody"),
            ("search", "alice", "Nope", "all"),
            ("fetch", "alice", "Nope", "all"),
            ("flags", "add", "alice", "Nope", "all", "--", "\\Seen"),
            ("expunge", "alice", "Nope", "all"),
            ("save", "alice", "INBOX", "/nonexistent/file"),
        ]
        for command in failures:
            doc = self.ctl_json(*command, code=1)
            self.assertIn("error", doc, command)
        for command in [("user", "frob"), ("mailbox", "rename", "alice"),
                        ("search", "alice"), ("frobnicate",),
                        ("who", "a", "b")]:
            doc = self.ctl_json(*command, code=2)
            self.assertEqual(doc["code"], "USAGE", command)

    def test_zz_without_daemon(self):
        # Runs last (alphabetical order): stops the daemon.
        self.server.stop()
        try:
            for command in (("who",), ("kick", "alice")):
                result = self.ctl(*command, check=False)
                self.assertEqual(result.returncode, 1, command)
                self.assertIn("no daemon is running", result.stderr)
            # The query commands work on the store directly.
            self.assertEqual(self.uids("INBOX", "from", "bob"), [1, 3])
        finally:
            self.server.start()


if __name__ == "__main__":
    unittest.main()
