"""The real ManageSieve client sieve-connect (Debian package sieve-connect)
against mailroomd: STARTTLS with certificate checks, AUTHENTICATE PLAIN,
then upload, list, activate, download, check and delete, each one
non-interactive run."""

import os
import shutil
import subprocess
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd

SIEVE_CONNECT = shutil.which("sieve-connect")
SCRIPT = ('require ["fileinto", "vacation"];\n'
          'if address :is "from" "boss@example.com" {\n'
          '  fileinto "Boss";\n'
          '} else {\n'
          '  vacation :days 3 "Away until Monday.";\n'
          '}\n')


@unittest.skipIf(SIEVE_CONNECT is None, "sieve-connect is not installed")
class SieveConnectTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, plugins=("managesieve",),
                               allow_plaintext_auth=False)
        cls.server.start()
        cls.server.add_user("alice", "s3cret pass")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def run_client(self, *action, password="s3cret pass", check=True):
        args = [SIEVE_CONNECT, "--nosrv", "--server", "127.0.0.1",
                "--port", str(self.server.managesieve_port),
                "--user", "alice", "--passwordfd", "0",
                "--tlscafile", self.server.cert_file,
                "--tlshostname", "localhost", "--noclearauth",
                "--authmech", "PLAIN"] + list(action)
        result = subprocess.run(args, input=password + "\n", text=True,
                                capture_output=True, timeout=60,
                                cwd=self.tmp.name)
        if check:
            self.assertEqual(result.returncode, 0,
                             "%s\nstdout: %s\nstderr: %s\nserver: %s" %
                             (action, result.stdout, result.stderr,
                              self.server.log()[-2000:]))
        return result

    def test_upload_list_activate_download(self):
        local = os.path.join(self.tmp.name, "filters.sieve")
        with open(local, "w") as f:
            f.write(SCRIPT)
        self.run_client("--checkscript", "--localsieve", local)
        self.run_client("--upload", "--localsieve", local,
                        "--remotesieve", "filters")
        listing = self.run_client("--list").stdout
        self.assertIn("filters", listing)
        self.assertNotIn("ACTIVE", listing)
        self.run_client("--activate", "--remotesieve", "filters")
        listing = self.run_client("--list").stdout
        self.assertRegex(listing, r'filters.*ACTIVE|ACTIVE.*filters')
        downloaded = os.path.join(self.tmp.name, "copy.sieve")
        self.run_client("--download", "--remotesieve", "filters",
                        "--localsieve", downloaded)
        with open(downloaded) as f:
            # Sent as uploaded, line ends as sieve-connect wrote them.
            self.assertEqual(f.read().replace("\r\n", "\n"), SCRIPT)
        # The active script cannot be deleted; deactivated it can.
        self.assertNotEqual(
            self.run_client("--delete", "--remotesieve", "filters",
                            check=False).returncode, 0)
        self.run_client("--deactivate")
        self.run_client("--delete", "--remotesieve", "filters")
        self.assertNotIn("filters", self.run_client("--list").stdout)

    def test_upload_of_a_broken_script_shows_the_position(self):
        local = os.path.join(self.tmp.name, "broken.sieve")
        with open(local, "w") as f:
            f.write('keep;\nif header "x" {\n')
        result = self.run_client("--upload", "--localsieve", local,
                                 check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertRegex(result.stdout + result.stderr, r"\d+:\d+: ")

    def test_wrong_password_fails(self):
        result = self.run_client("--list", password="wrong", check=False)
        self.assertNotEqual(result.returncode, 0)


if __name__ == "__main__":
    unittest.main()
