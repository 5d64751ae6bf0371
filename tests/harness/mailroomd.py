"""End-to-end test harness: a real mailroomd on 127.0.0.1 with ephemeral ports.

Use it from a py_test whose data includes the binaries and plugins:

    py_test(
        name = "my_e2e_test",
        srcs = ["my_e2e_test.py"],
        data = [
            "//tools:mailroomd",
            "//tools:mailroomctl",
            "//protocols/imap:libmailroom_imap.so",
            "//protocols/pop3:libmailroom_pop3.so",
            "//protocols/lmtp:libmailroom_lmtp.so",
        ],
        deps = ["//tests/harness"],
    )

    from tests.harness.mailroomd import Mailroomd, ssl_context

    with tempfile.TemporaryDirectory() as tmp, Mailroomd(tmp) as server:
        server.add_user("alice", "secret")
        imap = imaplib.IMAP4("127.0.0.1", server.imap_port)
        imaps = imaplib.IMAP4_SSL("127.0.0.1", server.imaps_port,
                                  ssl_context=ssl_context(server.cert_file))

Mailroomd(tmp_dir, tls=True, allow_plaintext_auth=True, extra_flags=(),
          plugins=("imap", "pop3", "lmtp"), echo=False, rados_namespace=None)
    A context manager (start() on enter, stop() on exit). Finds mailroomd,
    mailroomctl and the plugins in the Bazel runfiles (TEST_SRCDIR/mailroom/
    ...; or MAILROOM_BIN_DIR, or bazel-bin next to the workspace), links the
    plugin .so files that exist into tmp_dir/plugins (a plugin that is not
    built is skipped and its ports are turned off), generates a certificate
    with `mailroomctl cert generate` when tls is true, picks free ports, and
    waits until every port accepts connections.
    echo=True also loads the host test plugin (tests/server) on .echo_port
    and .echo_tls_port. With MAILROOM_TEST_ENGINE=rados (the *_rados test
    targets) the daemon runs on the RADOS engine, in a namespace of its own
    unless rados_namespace names one (several nodes of one installation).

Attributes: imap_port imaps_port pop3_port pop3s_port lmtp_port
managesieve_port (0 when the plugin or TLS is absent; ManageSieve loads only
when plugins names "managesieve"), lmtp_socket (a UNIX socket path, or None),
echo_port, echo_tls_port, data_dir, cert_file, key_file (None without TLS),
plugin_dir, pid, process.

Methods:
    has_plugin(name)   whether that plugin was found and loaded
    ctl(*args, input=None, check=True)
                       runs mailroomctl --data_dir=... ARGS; returns a
                       subprocess.CompletedProcess (text mode); raises on a
                       non-zero exit when check is true
    add_user(name, password)
    stop(timeout=15)   SIGTERM and wait; returns the exit code
    kill9()            SIGKILL and wait
    restart()          start again on the same ports and data dir
    log()              everything the daemon wrote to stderr so far

ssl_context(cert_file) returns a client ssl.SSLContext that trusts the test
certificate (host name "localhost" or "127.0.0.1").
"""

import os
import random
import signal
import socket
import ssl
import subprocess
import time

PLUGIN_TARGETS = {
    "imap": "protocols/imap/libmailroom_imap.so",
    "pop3": "protocols/pop3/libmailroom_pop3.so",
    "lmtp": "protocols/lmtp/libmailroom_lmtp.so",
    "managesieve": "protocols/managesieve/libmailroom_managesieve.so",
}
ECHO_PLUGIN = "tests/server/libmailroom_echo.so"


def _candidate_roots():
    roots = []
    if os.environ.get("MAILROOM_BIN_DIR"):
        roots.append(os.environ["MAILROOM_BIN_DIR"])
    for env in ("TEST_SRCDIR", "RUNFILES_DIR"):
        if os.environ.get(env):
            roots.append(os.path.join(os.environ[env], "mailroom"))
    here = os.path.dirname(os.path.abspath(__file__))
    workspace = os.path.dirname(os.path.dirname(here))
    roots.append(os.path.join(workspace, "bazel-bin"))
    return roots


def find_file(relative):
    """The first existing runfile or build output at `relative`, or None."""
    for root in _candidate_roots():
        path = os.path.join(root, relative)
        if os.path.exists(path):
            return path
    return None


def find_binary(name):
    path = find_file(os.path.join("tools", name))
    if path is None:
        raise FileNotFoundError(
            "%s not found; add //tools:%s to the test's data" % (name, name))
    return path


# Listening ports come from below Linux's ephemeral range (32768-60999), so
# no client connection of a test running alongside can take one as its local
# port between the pick and the daemon's bind.
_LISTEN_PORTS = (20000, 32767)


def free_port():
    """A port below the ephemeral range that was free a moment ago."""
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randint(*_LISTEN_PORTS)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free listening port in %d-%d" % _LISTEN_PORTS)


def on_rados():
    """Whether the test runs on the RADOS engine (its *_rados target)."""
    return os.environ.get("MAILROOM_TEST_ENGINE") == "rados"


def store_flags(rados_namespace=None):
    """The daemon's and mailroomctl's store flags: none for RocksDB; on RADOS
    the cluster MAILROOM_RADOS_CONF names, in `rados_namespace` (nodes of one
    installation pass the same) or else a new namespace of its own."""
    if not on_rados():
        return []
    conf = os.environ.get("MAILROOM_RADOS_CONF", "")
    if not conf:
        raise RuntimeError("MAILROOM_RADOS_CONF is not set: the RADOS tests "
                           "need a cluster (scripts/test.sh starts one)")
    return ["--store=rados", "--rados_conf=" + conf,
            "--rados_pool=" + os.environ.get("MAILROOM_RADOS_POOL", "mailroom"),
            "--rados_user=" + os.environ.get("MAILROOM_RADOS_USER", "admin"),
            "--rados_namespace=" + (rados_namespace or new_namespace())]


def new_namespace():
    return "e2e-%d-%s" % (os.getpid(), os.urandom(6).hex())


def ssl_context(cert_file):
    """A client context that trusts the test certificate."""
    context = ssl.create_default_context(cafile=cert_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class _PortTaken(RuntimeError):
    """The daemon could not bind a port picked for it."""


class Mailroomd:
    def __init__(self, tmp_dir, tls=True, allow_plaintext_auth=True,
                 extra_flags=(), plugins=("imap", "pop3", "lmtp"),
                 echo=False, rados_namespace=None):
        self.tmp_dir = tmp_dir
        self.store_flags = store_flags(rados_namespace)
        self.tls = tls
        self.allow_plaintext_auth = allow_plaintext_auth
        self.extra_flags = list(extra_flags)
        self.data_dir = os.path.join(tmp_dir, "data")
        self.plugin_dir = os.path.join(tmp_dir, "plugins")
        self.mailroomd = find_binary("mailroomd")
        self.mailroomctl = find_binary("mailroomctl")
        self.cert_file = None
        self.key_file = None
        self.process = None
        self.pid = None
        self._log_path = os.path.join(tmp_dir, "mailroomd.log")
        self._log_file = None

        os.makedirs(self.plugin_dir, exist_ok=True)
        self._plugins = set()
        wanted = {name: PLUGIN_TARGETS[name] for name in plugins}
        if echo:
            wanted["echo"] = ECHO_PLUGIN
        for name, relative in wanted.items():
            path = find_file(relative)
            if path is None:
                continue  # not built (yet): its listeners stay off
            link = os.path.join(self.plugin_dir, os.path.basename(relative))
            if not os.path.exists(link):
                os.symlink(os.path.abspath(path), link)
            self._plugins.add(name)

        if tls:
            self.cert_file = os.path.join(tmp_dir, "cert.pem")
            self.key_file = os.path.join(tmp_dir, "key.pem")
            self.generate_cert()

        def port_if(plugin, with_tls=False):
            if plugin not in self._plugins or (with_tls and not tls):
                return 0
            return free_port()

        self._port_if = port_if
        self._pick_ports()
        self.lmtp_socket = (os.path.join(tmp_dir, "lmtp.sock")
                            if "lmtp" in self._plugins else None)
        self._started_once = False

    def _pick_ports(self):
        port_if = self._port_if
        self.imap_port = port_if("imap")
        self.imaps_port = port_if("imap", True)
        self.pop3_port = port_if("pop3")
        self.pop3s_port = port_if("pop3", True)
        self.lmtp_port = port_if("lmtp")
        self.managesieve_port = port_if("managesieve")
        self.echo_port = port_if("echo")
        self.echo_tls_port = port_if("echo", True)

    # ---- lifecycle ---------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        if self.process is not None and self.process.poll() is None:
            self.stop()
        if self._log_file:
            self._log_file.close()
            self._log_file = None
        return False

    def has_plugin(self, name):
        return name in self._plugins

    def generate_cert(self):
        subprocess.run([self.mailroomctl, "cert", "generate",
                        "--out_cert=" + self.cert_file,
                        "--out_key=" + self.key_file, "--cn=localhost"],
                       check=True, stdout=subprocess.DEVNULL)

    def command_line(self):
        args = [
            self.mailroomd,
            "--data_dir=" + self.data_dir,
            "--listen=127.0.0.1",
            "--plugin_dir=" + self.plugin_dir,
            "--hostname=localhost",
            "--imap_port=%d" % self.imap_port,
            "--imaps_port=%d" % self.imaps_port,
            "--pop3_port=%d" % self.pop3_port,
            "--pop3s_port=%d" % self.pop3s_port,
            "--lmtp_port=%d" % self.lmtp_port,
            "--managesieve_port=%d" % self.managesieve_port,
            "--lmtp_socket=" + (self.lmtp_socket or ""),
            "--allow_plaintext_auth=%s" %
            ("true" if self.allow_plaintext_auth else "false"),
        ] + self.store_flags
        if self.echo_port:
            args.append("--extra_listeners=echo:%d:%d" %
                        (self.echo_port, self.echo_tls_port))
        if self.tls:
            args += ["--tls_cert=" + self.cert_file,
                     "--tls_key=" + self.key_file]
        return args + self.extra_flags

    def tcp_ports(self):
        return [p for p in (self.imap_port, self.imaps_port, self.pop3_port,
                            self.pop3s_port, self.lmtp_port, self.echo_port,
                            self.echo_tls_port, self.managesieve_port) if p]

    def start(self, timeout=30):
        """Starts the daemon and waits for its ports. On the first start a
        port another test bound meanwhile is replaced and the start retried;
        later starts keep the ports the test already uses."""
        for attempt in range(5):
            try:
                return self._start_once(timeout)
            except _PortTaken:
                if self._started_once or attempt == 4:
                    raise
                self._pick_ports()

    def _start_once(self, timeout):
        if self._log_file is None:
            self._log_file = open(self._log_path, "ab")
        log_mark = len(self.log())
        self.process = subprocess.Popen(
            self.command_line(), stdout=self._log_file,
            stderr=self._log_file, stdin=subprocess.DEVNULL)
        self.pid = self.process.pid
        deadline = time.monotonic() + timeout
        pending = list(self.tcp_ports())
        while pending:
            if self.process.poll() is not None:
                error = _PortTaken if ("Address already in use" in
                                       self.log()[log_mark:]) else RuntimeError
                raise error("mailroomd exited with %d:\n%s" %
                            (self.process.returncode, self.log()))
            port = pending[0]
            try:
                with socket.create_connection(("127.0.0.1", port), 0.5):
                    pending.pop(0)
            except OSError:
                if time.monotonic() > deadline:
                    self.kill9()
                    raise RuntimeError("mailroomd did not open port %d:\n%s"
                                       % (port, self.log()))
                time.sleep(0.05)
        self._started_once = True
        if not pending and not self.tcp_ports():
            # Nothing to poll: wait for the ready line instead.
            while "mailroomd ready" not in self.log():
                if self.process.poll() is not None or \
                        time.monotonic() > deadline:
                    raise RuntimeError("mailroomd did not start:\n" +
                                       self.log())
                time.sleep(0.05)

    def stop(self, timeout=15):
        """SIGTERM, then wait; returns the exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError("mailroomd ignored SIGTERM for %ss:\n%s" %
                               (timeout, self.log()))

    def kill9(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def restart(self):
        if self.process is not None and self.process.poll() is None:
            self.stop()
        self.start()

    def log(self):
        if self._log_file:
            self._log_file.flush()
        try:
            with open(self._log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    # ---- administration -----------------------------------------------------
    def ctl(self, *args, input=None, check=True):
        result = subprocess.run(
            [self.mailroomctl, "--data_dir=" + self.data_dir] +
            self.store_flags + list(args),
            input=input, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise RuntimeError("mailroomctl %s failed (%d): %s%s" %
                               (" ".join(args), result.returncode,
                                result.stdout, result.stderr))
        return result

    def add_user(self, name, password):
        return self.ctl("user", "add", name, "--password=" + password)
