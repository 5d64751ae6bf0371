"""A private Dovecot (Debian's /usr/sbin/dovecot) as the source server of
migration tests: passwd-file users, Maildir, IMAP and POP3 on ephemeral
loopback ports, optionally IMAPS/POP3S with a given certificate, everything
under one temporary directory in /tmp (mail processes of another user must
be able to reach it when the tests run as root).

Its personal namespace is Courier-style on purpose: prefix "INBOX." and
separator ".", so the migration must translate both. Sent, Drafts, Trash,
Junk and Archive carry special-use attributes.
"""

import grp
import os
import pwd
import tempfile
import time

from tests.harness.dovecot_process import DOVECOT, DovecotProcess
from tests.harness.mailroomd import free_port



def available():
    return os.path.exists(DOVECOT)




class DovecotSource(DovecotProcess):
    def __init__(self, users, cert_file=None, key_file=None):
        """users: {name: password}."""
        self.users = dict(users)
        self.dir = tempfile.mkdtemp(prefix="mailroom-dovecot-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.imap_port = free_port()
        self.pop3_port = free_port()
        self.tls = cert_file is not None
        self.imaps_port = free_port() if self.tls else 0
        self.pop3s_port = free_port() if self.tls else 0
        self.cert_file = cert_file
        self.key_file = key_file
        self.config = os.path.join(self.dir, "dovecot.conf")
        self._write_config()

    def _accounts(self):
        if os.getuid() == 0:
            # Mail may not be accessed as root: the mail belongs to dovenull.
            mail = pwd.getpwnam("dovenull")
            return ("dovecot", grp.getgrgid(pwd.getpwnam("dovecot").pw_gid)
                    .gr_name, "dovenull", mail.pw_uid, mail.pw_gid, True)
        me = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(os.getgid()).gr_name
        return (me.pw_name, group, me.pw_name, os.getuid(), os.getgid(),
                False)

    def _write_config(self):
        internal_user, internal_group, login_user, uid, gid, root = \
            self._accounts()
        for sub in ("run", "state", "mail"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        mail_dir = os.path.join(self.dir, "mail")
        if root:
            os.chown(mail_dir, uid, gid)
        passwd = os.path.join(self.dir, "passwd")
        with open(passwd, "w") as f:
            for name, password in self.users.items():
                f.write("%s:{PLAIN}%s\n" % (name, password))
        os.chmod(passwd, 0o644)
        chroot = "" if root else "chroot ="
        ssl = "ssl = no"
        if self.tls:
            ssl = "ssl = yes\nssl_cert = <%s\nssl_key = <%s" % (
                self.cert_file, self.key_file)
            for path in (self.cert_file, self.key_file):
                os.chmod(path, 0o644)
        config = """
protocols = imap pop3
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = mailroom-migrate-source-{imap}
log_path = {d}/dovecot.log
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%n
}}
mail_location = maildir:{d}/mail/%n/Maildir
pop3_uidl_format = %08Xu%08Xv
namespace inbox {{
  inbox = yes
  prefix = INBOX.
  separator = .
  mailbox Sent {{
    special_use = \\Sent
  }}
  mailbox Drafts {{
    special_use = \\Drafts
  }}
  mailbox Trash {{
    special_use = \\Trash
  }}
  mailbox Junk {{
    special_use = \\Junk
  }}
  mailbox Archive {{
    special_use = \\Archive
  }}
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
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
    address = 127.0.0.1
    port = {imaps}
  }}
}}
service pop3-login {{
  {chroot}
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {pop3s}
  }}
}}
""".format(d=self.dir, imap=self.imap_port, imaps=self.imaps_port,
           pop3=self.pop3_port, pop3s=self.pop3s_port, uid=uid, gid=gid,
           internal_user=internal_user, internal_group=internal_group,
           login_user=login_user, chroot=chroot, ssl=ssl)
        with open(self.config, "w") as f:
            f.write(config)

    def write_maildir(self, user, messages):
        """Puts `messages` (bytes, maildir flag letters such as "S") straight
        into the user's Maildir INBOX: far faster than APPEND for thousands.
        Dovecot gives them UIDs at its next look at the folder."""
        home = os.path.join(self.dir, "mail", user)
        maildir = os.path.join(home, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        now = int(time.time())
        for i, (data, flags) in enumerate(messages):
            name = "%d.M%dP%d.source:2,%s" % (now, i, os.getpid(), flags)
            with open(os.path.join(maildir, "cur", name), "wb") as f:
                f.write(data)
        if os.getuid() == 0:
            _, _, _, uid, gid, _ = self._accounts()
            for root, dirs, files in os.walk(home):
                os.chown(root, uid, gid)
                for n in files:
                    os.chown(os.path.join(root, n), uid, gid)

    def tcp_ports(self):
        return [self.imap_port, self.pop3_port, self.imaps_port,
                self.pop3s_port]
