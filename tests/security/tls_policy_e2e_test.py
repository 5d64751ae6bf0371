"""The TLS policy with real clients: forward-secret AEAD suites only under
TLS 1.2, TLS 1.3 preferred, nothing older than 1.2; tls_min_version=1.3
turns 1.2 away."""

import os
import select
import subprocess
import tempfile
import time
import unittest

from tests.harness.mailroomd import Mailroomd


def s_client(port, cafile, *args):
    """Runs openssl s_client against 127.0.0.1:port; returns (an IMAP session
    came up, output). LOGOUT goes out only once the greeting has arrived:
    what s_client reads from stdin mid-handshake may be lost."""
    process = subprocess.Popen(
        ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
         "-CAfile", cafile, "-servername", "localhost", "-ign_eof"] +
        list(args),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    out = b""
    deadline = time.monotonic() + 30
    sent = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if not ready:
            continue
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break  # s_client is done: handshake refused or server closed
        out += chunk
        if not sent and b"* OK" in out:
            process.stdin.write(b"a1 LOGOUT\r\n")
            process.stdin.close()
            sent = True
    if process.poll() is None:
        process.kill()
    process.wait()
    return b"* OK" in out, out.decode("utf-8", "replace")


class TlsPolicyTest(unittest.TestCase):
    def start(self, tmp, *flags):
        server = Mailroomd(tmp, plugins=("imap",), extra_flags=list(flags))
        if not server.has_plugin("imap"):
            self.skipTest("IMAP plugin not built")
        # An RSA certificate, so that static RSA key exchange would be
        # possible if the policy let it.
        server.generate_cert = lambda: subprocess.run(
            [server.mailroomctl, "cert", "generate",
             "--out_cert=" + server.cert_file, "--out_key=" + server.key_file,
             "--cn=localhost", "--rsa"], check=True,
            stdout=subprocess.DEVNULL)
        server.generate_cert()
        server.start()
        server.add_user("alice", "secret")
        return server

    def test_default_policy(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = self.start(tmp)
            try:
                port, ca = server.imaps_port, server.cert_file
                ok, out = s_client(port, ca, "-tls1_3")
                self.assertTrue(ok, out)
                self.assertIn("TLSv1.3", out)
                ok, out = s_client(port, ca)
                self.assertTrue(ok, out)
                self.assertIn("TLSv1.3", out)  # preferred when offered
                ok, out = s_client(port, ca, "-tls1_2")
                self.assertTrue(ok, out)
                self.assertIn("ECDHE-", out)
                for refused in (["-tls1_2", "-cipher", "AES128-SHA"],
                                ["-tls1_2", "-cipher", "AES256-GCM-SHA384"],
                                ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"],
                                ["-tls1_2", "-cipher",
                                 "ECDHE-RSA-AES256-SHA384"],
                                ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]):
                    ok, out = s_client(port, ca, *refused)
                    self.assertFalse(ok, " ".join(refused) + "\n" + out)
                curl = subprocess.run(
                    ["curl", "-sS", "--cacert", ca,
                     "imaps://localhost:%d/INBOX" % port,
                     "--connect-to", "localhost:%d:127.0.0.1:%d" % (port, port),
                     "-u", "alice:secret", "-X", "EXAMINE INBOX"],
                    capture_output=True, text=True, timeout=30)
                self.assertEqual(curl.returncode, 0, curl.stderr)
                self.assertIn("EXISTS", curl.stdout)
            finally:
                server.stop()

    def test_min_version_13(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = self.start(tmp, "--tls_min_version=1.3")
            try:
                port, ca = server.imaps_port, server.cert_file
                ok, out = s_client(port, ca, "-tls1_2")
                self.assertFalse(ok, out)
                ok, out = s_client(port, ca, "-tls1_3")
                self.assertTrue(ok, out)
            finally:
                server.stop()

    def test_bad_settings_are_refused_at_start(self):
        for flag in ("--tls_min_version=1.0", "--tls_ciphers=NO-SUCH",
                     "--tls_ciphersuites=TLS_NOPE"):
            with tempfile.TemporaryDirectory() as tmp:
                server = Mailroomd(tmp, plugins=("imap",), extra_flags=[flag])
                with self.assertRaises(RuntimeError) as raised:
                    server.start(timeout=10)
                self.assertIn("tls_", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
