"""Shared by the migration tests: a Dovecot source and a mailroomd target,
filling the source with imaplib, reading either side message by message,
and running `mailroomctl migrate`."""

import imaplib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from tests.harness.mailroomd import Mailroomd
from tests.migrate.dovecot_source import DovecotSource, available

PASSWORD = "source-secret"

FETCH_HEAD = re.compile(rb"UID (\d+)|FLAGS \(([^)]*)\)|INTERNALDATE \"([^\"]+)\"")


def require_dovecot(test):
    if not available():
        raise unittest.SkipTest("dovecot is not installed (apt-get install "
                                "dovecot-imapd dovecot-pop3d)")


def message(subject, body="hello\r\n", size=0):
    text = ("From: a@example.org\r\nTo: b@example.org\r\nSubject: %s\r\n"
            "Message-ID: <%s@example.org>\r\n\r\n%s" % (subject, subject, body))
    if size > len(text):
        line = "x" * 76 + "\r\n"
        text += line * ((size - len(text)) // len(line))
    return text.encode()


def imap_login(host, port, user, password):
    client = imaplib.IMAP4(host, port)
    client.login(user, password)
    return client


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def append(client, folder, subject, flags="", date=None, body="hello\r\n",
           size=0):
    date = imaplib.Time2Internaldate(date if date is not None else time.time())
    typ, data = client.append(quote(folder), "(%s)" % flags if flags else None,
                              date, message(subject, body, size))
    if typ != "OK":
        raise RuntimeError("APPEND failed: %r" % data)


def list_folders(client):
    """{name: set of attributes} with special-use (RETURN (SPECIAL-USE))."""
    typ, data = client._simple_command("LIST", '""', '"*"', "RETURN",
                                       "(SPECIAL-USE)")
    assert typ == "OK", data
    result = {}
    for line in client.untagged_responses.pop("LIST", []):
        if line is None:
            continue
        m = re.match(rb'\(([^)]*)\) (?:"[^"]*"|NIL) (.*)$', line)
        name = m.group(2).decode()
        if name.startswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        result[name] = set(a.decode() for a in m.group(1).split())
    return result


def subscriptions(client):
    typ, data = client.lsub('""', '"*"')
    assert typ == "OK"
    names = set()
    for line in data:
        if line is None:
            continue
        m = re.match(rb'\(([^)]*)\) (?:"[^"]*"|NIL) (.*)$', line)
        name = m.group(2).decode()
        if name.startswith('"'):
            name = name[1:-1]
        names.add(name)
    return names


def folder_contents(client, folder):
    """(UIDVALIDITY, {uid: (flags, internal date as epoch, body)})."""
    typ, data = client.select(quote(folder), readonly=True)
    assert typ == "OK", (folder, data)
    uidvalidity = int(client.untagged_responses["UIDVALIDITY"][-1])
    messages = {}
    if int(data[0]) == 0:
        return uidvalidity, messages
    typ, data = client.uid("FETCH", "1:*",
                           "(UID FLAGS INTERNALDATE BODY.PEEK[])")
    assert typ == "OK", data
    for item in data:
        if not isinstance(item, tuple):
            continue
        uid, flags, date = None, None, None
        for m in FETCH_HEAD.finditer(item[0]):
            if m.group(1):
                uid = int(m.group(1))
            if m.group(2) is not None:
                flags = frozenset(f for f in m.group(2).decode().split()
                                  if f != "\\Recent")
            if m.group(3):
                date = time.mktime(imaplib.Internaldate2tuple(
                    b'INTERNALDATE "' + m.group(3) + b'"'))
        messages[uid] = (flags, date, item[1])
    client.close()
    return uidvalidity, messages


def local_name(source_name):
    """Dovecot's "INBOX.A.B" (prefix INBOX., separator .) as Mailroom's
    "A/B"."""
    if source_name == "INBOX":
        return "INBOX"
    assert source_name.startswith("INBOX."), source_name
    return source_name[len("INBOX."):].replace(".", "/")


class MigrationTestCase(unittest.TestCase):
    """A Dovecot source and a mailroomd target per test class."""

    source_users = {"alice": PASSWORD}
    source_tls = False

    @classmethod
    def setUpClass(cls):
        require_dovecot(cls)
        cls.dir = tempfile.mkdtemp(prefix="mr-migrate-", dir="/tmp")
        os.chmod(cls.dir, 0o755)
        cls.daemon = Mailroomd(cls.dir, tls=True)
        cert = key = None
        if cls.source_tls:
            cert = os.path.join(cls.dir, "source-cert.pem")
            key = os.path.join(cls.dir, "source-key.pem")
            subprocess.run([cls.daemon.mailroomctl, "cert", "generate",
                            "--out_cert=" + cert, "--out_key=" + key,
                            "--cn=localhost"], check=True,
                           stdout=subprocess.DEVNULL)
            cls.source_cert = cert
        cls.source = DovecotSource(cls.source_users, cert, key)
        cls.source.start()
        cls.daemon.start()
        cls.password_files = {}
        for user, password in cls.source_users.items():
            path = os.path.join(cls.dir, "%s.password" % user)
            with open(path, "w") as f:
                f.write(password + "\n")
            cls.password_files[user] = path

    @classmethod
    def tearDownClass(cls):
        cls.daemon.__exit__(None, None, None)
        cls.source.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def source_client(self, user="alice"):
        return imap_login("127.0.0.1", self.source.imap_port, user,
                          self.source_users[user])

    def local_client(self, user, password="local-pass"):
        return imap_login("127.0.0.1", self.daemon.imap_port, user, password)

    def migrate(self, *args, check=True, kind="imap", port=None):
        port = port or (self.source.imap_port if kind == "imap"
                        else self.source.pop3_port)
        result = self.daemon.ctl("migrate", kind, "--host=127.0.0.1",
                                 "--port=%d" % port, "--json", *args,
                                 check=False)
        if check and result.returncode != 0:
            self.fail("migrate failed (%d): %s\n%s" %
                      (result.returncode, result.stdout, result.stderr))
        return result.returncode, json.loads(result.stdout), result.stderr

    def assert_same_folder(self, source_client, local_client, source_folder,
                           keep_uids=True):
        src_validity, src = folder_contents(source_client, source_folder)
        dst_validity, dst = folder_contents(local_client,
                                            local_name(source_folder))
        if keep_uids:
            self.assertEqual(dst_validity, src_validity, source_folder)
            self.assertEqual(sorted(dst), sorted(src), source_folder)
            for uid in src:
                self.assertEqual(dst[uid], src[uid], (source_folder, uid))
        else:
            self.assertEqual(sorted(dst.values(), key=repr),
                             sorted(src.values(), key=repr), source_folder)
