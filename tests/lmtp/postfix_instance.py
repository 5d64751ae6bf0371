"""A private Postfix instance for end-to-end tests.

Everything lives in a temporary directory: its own config directory, queue
and log. It listens for SMTP on 127.0.0.1 only and hands every message for
`domain` to an LMTP server (Mailroom) over TCP or a UNIX socket. Nothing of
the system's own Postfix configuration is used or touched.

    with PostfixInstance(smtp_port, "inet:127.0.0.1:2424", "example.com") as pf:
        ...  # submit with swaks to 127.0.0.1:smtp_port
"""
import os
import shutil
import subprocess
import tempfile
import time

# Services a relay-only Postfix needs; chroot off everywhere (column 5).
_MASTER_CF = """\
{listen} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

_MAIN_CF = """\
compatibility_level = 3.6
config_directory = {etc}
queue_directory = {queue}
data_directory = {data}
maillog_file = {log}
maillog_file_prefixes = {dir}
myhostname = relay.test
mydomain = relay.test
myorigin = relay.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = {domain}
transport_maps = inline:{{ {domain}=lmtp:{lmtp} }}
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
local_recipient_maps =
alias_maps =
alias_database =
biff = no
smtputf8_enable = yes
lmtp_tls_security_level = none
smtpd_tls_security_level = none
# Fast turnaround for tests.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
lmtp_connection_cache_on_demand = no
"""


def postfix_binary():
    """Path of the postfix command, or None when Postfix is not installed."""
    for path in ("/usr/sbin/postfix", shutil.which("postfix") or ""):
        if path and os.access(path, os.X_OK):
            return path
    return None


class PostfixInstance:
    def __init__(self, smtp_port, lmtp_destination, domain):
        """lmtp_destination: "inet:127.0.0.1:PORT" or "unix:/path"."""
        self.smtp_port = smtp_port
        self.lmtp_destination = lmtp_destination
        self.domain = domain
        self.dir = None

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def _start(self):
        self.dir = tempfile.mkdtemp(prefix="mailroom-postfix-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        etc = os.path.join(self.dir, "etc")
        queue = os.path.join(self.dir, "queue")
        data = os.path.join(self.dir, "data")
        os.makedirs(etc)
        os.makedirs(queue)
        os.makedirs(data)
        shutil.chown(data, "postfix", "postfix")
        self.log = os.path.join(self.dir, "postfix.log")
        with open(os.path.join(etc, "main.cf"), "w") as f:
            f.write(_MAIN_CF.format(etc=etc, queue=queue, data=data, dir=self.dir,
                                    log=self.log, domain=self.domain,
                                    lmtp=self.lmtp_destination))
        with open(os.path.join(etc, "master.cf"), "w") as f:
            f.write(_MASTER_CF.format(listen="127.0.0.1:%d" % self.smtp_port))
        self.etc = etc
        self._postfix("start")
        self._wait_for_port()
        return self

    def __exit__(self, *exc):
        try:
            self._postfix("stop")
        except Exception:  # noqa: BLE001 - best effort
            pass
        time.sleep(0.5)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _postfix(self, action):
        result = subprocess.run([postfix_binary(), "-c", self.etc, action],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=60)
        if result.returncode != 0:
            raise RuntimeError("postfix %s failed: %s\n%s" %
                               (action, result.stdout.decode(errors="replace"),
                                self.read_log()))

    def _wait_for_port(self):
        import socket
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.smtp_port), 1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("postfix did not listen:\n" + self.read_log())

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""
