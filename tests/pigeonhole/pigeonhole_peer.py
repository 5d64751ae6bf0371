"""A private Dovecot with Pigeonhole Sieve on loopback: the reference the
Sieve comparison test and benchmark deliver the same mail to.

It listens for LMTP and IMAP on free ports; each user's active script is
written to their home before delivery, the global before/after scripts to
the instance's directory. Mailboxes use "/" as separator with no prefix, and
"+" as recipient delimiter, the way Mailroom names them.
"""

import grp
import os
import pwd
import tempfile

from tests.harness.dovecot_process import DOVECOT, DovecotProcess
from tests.harness.mailroomd import free_port

SIEVE_PLUGIN = "/usr/lib/dovecot/modules/lib90_sieve_plugin.so"
LMTP = "/usr/lib/dovecot/lmtp"


def available():
    """Dovecot with its LMTP server and the Pigeonhole plugin installed."""
    return all(os.path.exists(p) for p in (DOVECOT, SIEVE_PLUGIN, LMTP))


class PigeonholePeer(DovecotProcess):
    def __init__(self, users, before=None, after=None):
        """users: {name: password}; before/after: global script sources."""
        self.users = dict(users)
        self.dir = tempfile.mkdtemp(prefix="mailroom-pigeonhole-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.imap_port = free_port()
        self.lmtp_port = free_port()
        self.config = os.path.join(self.dir, "dovecot.conf")
        self._root = os.getuid() == 0
        if self._root:
            mail = pwd.getpwnam("dovenull")
            self._uid, self._gid = mail.pw_uid, mail.pw_gid
        else:
            self._uid, self._gid = os.getuid(), os.getgid()
        self._globals = {}
        for name, source in (("before", before), ("after", after)):
            if source is not None:
                path = os.path.join(self.dir, "global", name + ".sieve")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(source)
                os.chmod(path, 0o644)
                self._globals[name] = path
        if self._globals:
            # Pigeonhole compiles global scripts next to them, as the mail user.
            self._chown(os.path.join(self.dir, "global"))
        self._write_config()

    def home(self, user):
        return os.path.join(self.dir, "mail", user)

    def set_script(self, user, source):
        """Makes `source` the user's active script."""
        home = self.home(user)
        sieve_dir = os.path.join(home, "sieve")
        os.makedirs(sieve_dir, exist_ok=True)
        path = os.path.join(sieve_dir, "active.sieve")
        with open(path, "w") as f:
            f.write(source)
        link = os.path.join(home, ".dovecot.sieve")
        if os.path.lexists(link):
            os.remove(link)
        os.symlink("sieve/active.sieve", link)
        self._chown(home)

    def _chown(self, top):
        if not self._root:
            return
        for root, dirs, files in os.walk(top):
            os.chown(root, self._uid, self._gid)
            for n in files:
                os.chown(os.path.join(root, n), self._uid, self._gid)

    def _write_config(self):
        if self._root:
            internal_user = "dovecot"
            internal_group = grp.getgrgid(
                pwd.getpwnam("dovecot").pw_gid).gr_name
            login_user = "dovenull"
            chroot = ""
        else:
            me = pwd.getpwuid(os.getuid())
            internal_user = login_user = me.pw_name
            internal_group = grp.getgrgid(os.getgid()).gr_name
            chroot = "chroot ="
        for sub in ("run", "state", "mail"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        for user in self.users:
            os.makedirs(self.home(user), exist_ok=True)
        self._chown(os.path.join(self.dir, "mail"))
        passwd = os.path.join(self.dir, "passwd")
        with open(passwd, "w") as f:
            for name, password in self.users.items():
                f.write("%s:{PLAIN}%s\n" % (name, password))
        os.chmod(passwd, 0o644)
        globals_conf = "".join(
            "  sieve_%s = %s\n" % (name, path)
            for name, path in self._globals.items())
        config = """
protocols = imap lmtp
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = mailroom-pigeonhole-{lmtp}
log_path = {d}/dovecot.log
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%n allow_all_users=yes
}}
mail_location = maildir:~/Maildir:LAYOUT=fs
namespace inbox {{
  inbox = yes
  prefix =
  separator = /
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
protocol lmtp {{
  mail_plugins = $mail_plugins sieve
}}
plugin {{
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_extensions = +vacation-seconds
{globals}}}
service anvil {{
  {chroot}
}}
service imap-login {{
  {chroot}
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp}
  }}
}}
""".format(d=self.dir, imap=self.imap_port, lmtp=self.lmtp_port,
           uid=self._uid, gid=self._gid, internal_user=internal_user,
           internal_group=internal_group, login_user=login_user,
           chroot=chroot, globals=globals_conf)
        with open(self.config, "w") as f:
            f.write(config)

    def tcp_ports(self):
        return [self.imap_port, self.lmtp_port]
