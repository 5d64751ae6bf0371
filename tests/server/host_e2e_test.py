"""The daemon's host side end to end, through the echo test plugin: line
limits, literals, STARTTLS and implicit TLS, per-IP limits, SIGTERM,
kill -9 and restart, SIGHUP certificate reload, the config file, the admin
socket, and the start-up refusals (ABI mismatch, missing plugin)."""

import os
import signal
import socket
import ssl
import stat
import subprocess
import tempfile
import time
import unittest
import warnings

from tests.harness.mailroomd import Mailroomd, find_binary, find_file, \
    free_port, ssl_context


class Client:
    """A line client of the echo protocol."""

    def __init__(self, port, context=None):
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        if context is not None:
            sock = context.wrap_socket(sock, server_hostname="localhost")
        self.sock = sock
        self.file = sock.makefile("rwb")
        self.greeting = self.readline()

    def readline(self):
        return self.file.readline().decode().rstrip("\r\n")

    def send(self, data):
        self.file.write(data)
        self.file.flush()

    def cmd(self, line):
        self.send(line.encode() + b"\r\n")
        return self.readline()

    def starttls(self, context):
        self.file.close()
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        self.file = self.sock.makefile("rwb")

    def close(self):
        self.file.close()
        self.sock.close()


class EchoHostTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Mailroomd(cls.tmp.name, echo=True, plugins=(),
                               extra_flags=["--max_line_bytes=2000"])
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def test_echo_limits_and_literals(self):
        c = Client(self.server.echo_port)
        self.assertEqual(c.greeting, "* ECHO ready tls=0")
        self.assertEqual(c.cmd("hello"), "ECHO hello")
        # An overlong line is consumed; the session goes on.
        self.assertEqual(c.cmd("x" * 50000), "ERR line too long")
        self.assertEqual(c.cmd("y" * 1999), "ECHO " + "y" * 1999)
        self.assertEqual(c.cmd("LITERAL 100000"), "GO")
        c.send(b"z" * 100000)
        self.assertEqual(c.readline(), "GOT 100000")
        self.assertEqual(c.cmd("BLOCK"), "BLOCKED 7")
        self.assertEqual(c.cmd("WAIT 50"), "WAITING")
        self.assertEqual(c.readline(), "WAIT timeout")
        self.assertEqual(c.cmd("WAIT 20000"), "WAITING")
        self.assertEqual(c.cmd("wake"), "WAIT input")
        self.assertEqual(c.readline(), "ECHO wake")
        self.assertEqual(c.cmd("QUIT"), "BYE")
        c.close()

    def test_starttls_and_implicit_tls(self):
        context = ssl_context(self.server.cert_file)
        c = Client(self.server.echo_port)
        self.assertIn("tls_available=1", c.cmd("INFO"))
        self.assertIn("plaintext_auth=1", c.cmd("INFO"))
        self.assertEqual(c.cmd("STARTTLS"), "OK begin TLS")
        c.starttls(context)
        self.assertIn(c.sock.version(), ("TLSv1.2", "TLSv1.3"))
        self.assertIn(" tls=1", c.cmd("INFO"))
        self.assertEqual(c.cmd("STARTTLS"), "NO TLS not available")
        c.close()

        t = Client(self.server.echo_tls_port, context)
        self.assertEqual(t.greeting, "* ECHO ready tls=1")
        self.assertIn("implicit=1", t.cmd("INFO"))
        t.close()

    def test_starttls_with_pipelined_input_is_refused(self):
        c = Client(self.server.echo_port)
        # The command and an injected one arrive together.
        c.send(b"STARTTLS\r\nINJECTED\r\n")
        self.assertEqual(c.readline(), "OK begin TLS")
        reply = c.readline()
        self.assertTrue(reply.startswith("NO "), reply)
        self.assertEqual(c.readline(), "ECHO INJECTED")
        c.close()

    def test_tls_below_1_2_is_refused(self):
        # A client that offers at most TLS 1.1 (its own floor lowered so the
        # hello is really sent) gets no handshake.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        before = self.server.log().count("TLS handshake failed")
        with self.assertRaises((ssl.SSLError, OSError)):
            Client(self.server.echo_tls_port, context)
        deadline = time.monotonic() + 10
        while self.server.log().count("TLS handshake failed") == before:
            self.assertLess(time.monotonic(), deadline, self.server.log())
            time.sleep(0.05)

    def test_sighup_reloads_the_certificate(self):
        context = ssl_context(self.server.cert_file)

        def peer_cert():
            with socket.create_connection(
                    ("127.0.0.1", self.server.echo_tls_port), 10) as s:
                with context.wrap_socket(s, server_hostname="localhost") as t:
                    return t.getpeercert(binary_form=True)

        before = peer_cert()
        self.server.generate_cert()
        os.kill(self.server.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "TLS certificate reloaded" not in self.server.log():
            self.assertLess(time.monotonic(), deadline, self.server.log())
            time.sleep(0.05)
        context = ssl_context(self.server.cert_file)
        self.assertNotEqual(peer_cert(), before)

    def test_admin_socket_is_private_and_used(self):
        sock = os.path.join(self.server.data_dir, "admin.sock")
        self.assertEqual(stat.S_IMODE(os.stat(sock).st_mode), 0o600)
        self.server.add_user("adminsock", "pw1")
        self.assertIn("adminsock", self.server.ctl("user", "list").stdout)
        self.assertIn("admin command: user add", self.server.log())


class LifecycleTest(unittest.TestCase):
    def test_sigterm_lets_in_flight_commands_finish(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = Mailroomd(tmp, echo=True, plugins=())
            server.start()
            idle = Client(server.echo_port)
            busy = Client(server.echo_port)
            busy.send(b"SLOW 1500\r\n")
            time.sleep(0.3)
            started = time.monotonic()
            os.kill(server.pid, signal.SIGTERM)
            self.assertEqual(idle.readline(), "BYE shutting down")
            self.assertEqual(busy.readline(), "DONE")
            self.assertEqual(busy.readline(), "BYE shutting down")
            self.assertEqual(server.process.wait(15), 0, server.log())
            self.assertLess(time.monotonic() - started, 15)
            # New connections are no longer accepted.
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", server.echo_port), 2)

    def test_kill9_then_restart_on_the_same_ports(self):
        with tempfile.TemporaryDirectory() as tmp:
            server = Mailroomd(tmp, echo=True, plugins=())
            with server:
                c = Client(server.echo_port)
                server.add_user("survivor", "pw")
                server.kill9()
                c.close()
                server.start()
                c = Client(server.echo_tls_port, ssl_context(server.cert_file))
                self.assertEqual(c.greeting, "* ECHO ready tls=1")
                c.close()
                self.assertIn("survivor", server.ctl("user", "list").stdout)
            # Daemon stopped: mailroomctl opens the store itself.
            self.assertIn("survivor", server.ctl("user", "list").stdout)

    def test_connections_per_ip_are_limited(self):
        with tempfile.TemporaryDirectory() as tmp:
            with Mailroomd(tmp, echo=True, plugins=(),
                           extra_flags=["--max_connections_per_ip=3"]) as s:
                # The harness's readiness probe holds a slot until the
                # server sees it close: a refusal then is retried.
                clients = []
                deadline = time.monotonic() + 10
                while len(clients) < 3:
                    c = Client(s.echo_port)
                    if c.greeting:
                        self.assertEqual(c.greeting, "* ECHO ready tls=0")
                        clients.append(c)
                        continue
                    c.close()
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.05)
                refused = socket.create_connection(("127.0.0.1", s.echo_port),
                                                   10)
                self.assertEqual(refused.recv(100), b"")
                refused.close()
                clients.pop().close()
                # The slot frees once the server saw the close.
                deadline = time.monotonic() + 10
                while True:
                    c = Client(s.echo_port)
                    if c.greeting:
                        break
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.05)
                self.assertIn("refused connection from 127.0.0.1", s.log())

    def test_without_tls_files_starttls_is_not_offered(self):
        with tempfile.TemporaryDirectory() as tmp:
            with Mailroomd(tmp, tls=False, echo=True, plugins=(),
                           allow_plaintext_auth=False) as s:
                c = Client(s.echo_port)
                info = c.cmd("INFO")
                self.assertIn("tls_available=0", info)
                self.assertIn("plaintext_auth=0", info)
                self.assertEqual(c.cmd("MECHS"), "MECHS SCRAM-SHA-256")
                self.assertEqual(c.cmd("STARTTLS"), "NO TLS not available")
                self.assertIn("TLS off", s.log())

    def test_config_file_with_flags_overriding_it(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "mailroomd.conf")
            with open(config, "w") as f:
                f.write("# test config\nmax_line_bytes = 1500\n"
                        "idle_timeout_seconds = 1\n")
            with Mailroomd(tmp, echo=True, plugins=(),
                           extra_flags=["--config=" + config,
                                        "--idle_timeout_seconds=60"]) as s:
                c = Client(s.echo_port)
                self.assertEqual(c.cmd("a" * 1600), "ERR line too long")
                time.sleep(1.5)  # the file's 1 s timeout was overridden
                self.assertEqual(c.cmd("b"), "ECHO b")

    def test_bad_config_key_stops_start_up(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "bad.conf")
            with open(config, "w") as f:
                f.write("no_such_key = 1\n")
            result = subprocess.run(
                [find_binary("mailroomd"), "--config=" + config],
                capture_output=True, text=True, timeout=60)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("unknown key 'no_such_key'", result.stderr)


class StartupRefusalTest(unittest.TestCase):
    def run_daemon(self, tmp, plugin_files, *flags):
        plugin_dir = os.path.join(tmp, "plugins")
        os.makedirs(plugin_dir, exist_ok=True)
        for relative in plugin_files:
            path = find_file(relative)
            self.assertIsNotNone(path, relative)
            os.symlink(path, os.path.join(plugin_dir, os.path.basename(path)))
        return subprocess.run(
            [find_binary("mailroomd"), "--data_dir=" + tmp + "/data",
             "--plugin_dir=" + plugin_dir, "--listen=127.0.0.1"] + list(flags),
            capture_output=True, text=True, timeout=60)

    def test_wrong_abi_plugin_is_refused_with_a_clear_message(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = self.run_daemon(
                tmp, ["tests/server/libmailroom_wrongabi.so"],
                "--imap_port=0", "--imaps_port=0", "--pop3_port=0",
                "--pop3s_port=0", "--lmtp_port=0")
            self.assertEqual(result.returncode, 1)
            self.assertRegex(
                result.stderr,
                r"plugin libmailroom_wrongabi\.so: ABI version mismatch: "
                r"got \d+, expected \d+")

    def test_listener_without_its_plugin_stops_start_up(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = self.run_daemon(
                tmp, ["tests/server/libmailroom_echo.so"],
                "--imap_port=%d" % free_port(), "--imaps_port=0",
                "--pop3_port=0", "--pop3s_port=0", "--lmtp_port=0")
            self.assertEqual(result.returncode, 1)
            self.assertIn("needs the 'imap' plugin", result.stderr)


if __name__ == "__main__":
    unittest.main()
