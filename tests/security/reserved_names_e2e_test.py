"""mailroomctl user add refuses the names ACLs give another meaning."""

import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd


class ReservedNamesTest(unittest.TestCase):
    def test_user_add_refuses_acl_identifiers(self):
        with tempfile.TemporaryDirectory() as tmp:
            with Mailroomd(tmp, tls=False) as server:
                for name in ("anyone", "Authenticated", "-alice", "$staff",
                             "a/b", "a\x01b"):
                    result = server.ctl("user", "add", name,
                                        "--password=pw", check=False)
                    self.assertNotEqual(result.returncode, 0, name)
                    self.assertIn("user name", result.stderr + result.stdout)
                server.add_user("anyone2", "pw")
                users = server.ctl("user", "list").stdout.split()
                self.assertEqual(users, ["anyone2"])


if __name__ == "__main__":
    unittest.main()
