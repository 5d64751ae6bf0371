"""mailroomctl sieve against a running mailroomd: put (file and stdin,
compile errors with line:col), list, get, activate, deactivate, rename,
delete, --global, --json; an export carries a user's scripts and the active
one into an import; and import maildir takes Dovecot's sieve/ directory and
.dovecot.sieve link."""

import json
import os
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd

KEEP = "keep;\n"
FILEINTO = ('require "fileinto";\n'
            'if header :contains "subject" "spam" {\n'
            '  fileinto "Junk";\n}\n')


class SieveAdminTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, plugins=("imap",))
        cls.server.start()
        for user in ("alice", "bob", "carol", "dave"):
            cls.server.ctl("user", "add", user, "--password=pw")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def ctl(self, *args, input=None, check=True):
        return self.server.ctl(*args, input=input, check=check)

    def ctl_json(self, *args, code=0, input=None):
        result = self.ctl(*(args + ("--json",)), input=input, check=False)
        self.assertEqual(result.returncode, code,
                         "%s: %s %s" % (args, result.stdout, result.stderr))
        doc = json.loads(result.stdout)
        self.assertEqual(doc["ok"], code == 0, doc)
        return doc

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def scripts(self, user):
        doc = self.ctl_json("sieve", "list", user)
        return [(s["name"], s["size"], s["active"]) for s in doc["scripts"]]

    def test_put_list_get_activate_rename_delete(self):
        self.ctl("sieve", "put", "alice", "main", self.write("main", FILEINTO))
        self.ctl("sieve", "put", "alice", "other", "-", input=KEEP)
        self.assertEqual(self.scripts("alice"),
                         [("main", len(FILEINTO), False),
                          ("other", len(KEEP), False)])
        self.assertEqual(self.ctl("sieve", "get", "alice", "main").stdout,
                         FILEINTO)
        self.assertEqual(
            self.ctl_json("sieve", "get", "alice", "other")["source"], KEEP)
        self.ctl("sieve", "activate", "alice", "main")
        self.assertIn("main %d active" % len(FILEINTO),
                      self.ctl("sieve", "list", "alice").stdout)
        # The active script cannot go.
        doc = self.ctl_json("sieve", "delete", "alice", "main", code=1)
        self.assertEqual(doc["code"], "FAILED_PRECONDITION")
        self.assertTrue(doc["error"].startswith("ACTIVE"), doc)
        self.ctl("sieve", "rename", "alice", "main", "filing")
        self.assertEqual(self.scripts("alice"),
                         [("filing", len(FILEINTO), True),
                          ("other", len(KEEP), False)])
        doc = self.ctl_json("sieve", "rename", "alice", "other", "filing",
                            code=1)
        self.assertEqual(doc["code"], "ALREADY_EXISTS")
        self.ctl("sieve", "deactivate", "alice")
        self.ctl("sieve", "delete", "alice", "filing")
        self.ctl("sieve", "delete", "alice", "other")
        self.assertEqual(self.scripts("alice"), [])
        doc = self.ctl_json("sieve", "get", "alice", "filing", code=1)
        self.assertEqual(doc["code"], "NOT_FOUND")

    def test_compile_error_names_line_and_column(self):
        bad = "keep;\nif header :is \"subject\" {\n"
        result = self.ctl("sieve", "put", "bob", "bad", "-", input=bad,
                          check=False)
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"error: \d+:\d+: ")
        doc = self.ctl_json("sieve", "put", "bob", "bad", "-", input=bad,
                            code=1)
        self.assertEqual(doc["code"], "INVALID_ARGUMENT")
        self.assertRegex(doc["error"], r"^\d+:\d+: ")
        self.assertEqual(self.scripts("bob"), [])
        # A missing file is a clear error too.
        result = self.ctl("sieve", "put", "bob", "x",
                          os.path.join(self.tmp.name, "missing"), check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("missing", result.stderr)

    def test_global_scripts(self):
        self.ctl("sieve", "put", "--global", "before",
                 self.write("before", KEEP))
        doc = self.ctl_json("sieve", "list", "--global")
        self.assertEqual(doc["scripts"],
                         [{"name": "before", "size": len(KEEP),
                           "active": False}])
        self.assertEqual(self.ctl("sieve", "get", "--global", "before").stdout,
                         KEEP)
        # Global scripts are run by name, never activated.
        doc = self.ctl_json("sieve", "activate", "--global", "before", code=1)
        self.assertEqual(doc["code"], "INVALID_ARGUMENT")
        self.ctl("sieve", "delete", "--global", "before")
        self.assertEqual(self.ctl_json("sieve", "list", "--global")["scripts"],
                         [])

    def test_export_and_import_keep_scripts_and_the_active_one(self):
        self.ctl("sieve", "put", "carol", "a", "-", input=KEEP)
        self.ctl("sieve", "put", "carol", "b", "-", input=FILEINTO)
        self.ctl("sieve", "activate", "carol", "b")
        out = os.path.join(self.tmp.name, "carol-export")
        doc = self.ctl_json("export", "carol", "--format=maildir", out)
        self.assertEqual(doc["sieve_scripts"], 2)
        self.assertEqual(os.readlink(os.path.join(out, ".dovecot.sieve")),
                         "sieve/b.sieve")
        with open(os.path.join(out, "sieve", "a.sieve")) as f:
            self.assertEqual(f.read(), KEEP)
        # Into a new account.
        self.ctl("user", "add", "carol2", "--password=pw")
        doc = self.ctl_json("import", "maildir", out, "--user=carol2")
        self.assertEqual(doc["sieve_scripts"], 2)
        self.assertEqual(doc["sieve_active"], "b")
        self.assertEqual(self.scripts("carol2"),
                         [("a", len(KEEP), False),
                          ("b", len(FILEINTO), True)])

    def test_import_from_dovecot_home(self):
        home = os.path.join(self.tmp.name, "dovecot-home")
        maildir = os.path.join(home, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(maildir, sub))
        with open(os.path.join(maildir, "new", "1.host"), "wb") as f:
            f.write(b"From: x@example.com\r\nSubject: hi\r\n\r\nbody\r\n")
        os.makedirs(os.path.join(home, "sieve", "tmp"))
        for name, text in (("vacation", KEEP), ("filing", FILEINTO),
                           ("broken", "if true {\n")):
            with open(os.path.join(home, "sieve", name + ".sieve"), "w") as f:
                f.write(text)
        with open(os.path.join(home, "sieve", "filing.svbin"), "wb") as f:
            f.write(b"\x00compiled")
        os.symlink("sieve/filing.sieve", os.path.join(home, ".dovecot.sieve"))
        doc = self.ctl_json("import", "maildir", maildir, "--user=dave")
        self.assertEqual(doc["imported"], 1)
        self.assertEqual(doc["sieve_scripts"], 2)
        self.assertEqual(doc["sieve_active"], "filing")
        self.assertTrue(any("broken" in w for w in doc["warnings"]),
                        doc["warnings"])
        self.assertEqual(self.scripts("dave"),
                         [("filing", len(FILEINTO), True),
                          ("vacation", len(KEEP), False)])

    def test_user_removal_drops_scripts(self):
        self.ctl("user", "add", "erin", "--password=pw")
        self.ctl("sieve", "put", "erin", "a", "-", input=KEEP)
        self.ctl("sieve", "activate", "erin", "a")
        self.ctl("user", "del", "erin")
        self.assertEqual(
            self.ctl_json("sieve", "list", "erin", code=1)["code"],
            "NOT_FOUND")
        self.ctl("user", "add", "erin", "--password=pw")
        self.assertEqual(self.scripts("erin"), [])


if __name__ == "__main__":
    unittest.main()
