"""A small ManageSieve (RFC 5804) client for the end-to-end tests and the
benchmark: sends commands with quoted strings or literals, and reads
responses (data lines, strings and literals, then OK/NO/BYE).

    c = Client(port)               # reads the greeting (c.greeting)
    c.starttls(ssl_context)        # re-reads the capabilities
    c.authenticate_plain("alice", "secret")
    r = c.command("PUTSCRIPT", "main", Literal(b"keep;\\r\\n"))
    r.status, r.code, r.text, r.lines
"""

import base64
import hashlib
import hmac
import os
import re
import socket

_STATUS = re.compile(rb'^(OK|NO|BYE)(?: \(([^)]*(?:"[^"]*"[^)]*)?)\))?(?: (.*))?$')


class Literal:
    """A string sent as a literal, {n+} (non_sync) or {n}."""

    def __init__(self, data, non_sync=True):
        self.data = data if isinstance(data, bytes) else data.encode()
        self.non_sync = non_sync


class Response:
    def __init__(self, status, code, text, lines):
        self.status = status      # "OK", "NO", "BYE"
        self.code = code          # response code text, or ""
        self.text = text          # human-readable text, or ""
        self.lines = lines        # data lines before it, each a list of items

    def __repr__(self):
        return "Response(%s, %r, %r, %r)" % (self.status, self.code, self.text,
                                            self.lines)


def quote(value):
    if isinstance(value, bytes):
        value = value.decode()
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Client:
    def __init__(self, port, host="127.0.0.1", timeout=30):
        self.sock = socket.create_connection((host, port), timeout)
        self.file = self.sock.makefile("rb")
        self.greeting = self.read_response()

    # ---- wire --------------------------------------------------------------
    def send(self, data):
        self.sock.sendall(data)

    def _read_line(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("connection closed")
        return line.rstrip(b"\r\n")

    def _items(self, line):
        """Splits a data line into strings and atoms, reading literals."""
        items = []
        pos = 0
        while pos < len(line):
            if line[pos:pos + 1] == b" ":
                pos += 1
                continue
            if line[pos:pos + 1] == b'"':
                end = pos + 1
                out = bytearray()
                while line[end:end + 1] != b'"':
                    if line[end:end + 1] == b"\\":
                        end += 1
                    out += line[end:end + 1]
                    end += 1
                items.append(bytes(out))
                pos = end + 1
            elif line[pos:pos + 1] == b"{" and line.endswith(b"}"):
                size = int(line[pos + 1:-1].rstrip(b"+"))
                items.append(self.file.read(size))
                line = self._read_line()
                pos = 0
            else:
                end = line.find(b" ", pos)
                end = len(line) if end < 0 else end
                items.append(line[pos:end])
                pos = end
        return items

    def read_response(self):
        lines = []
        while True:
            line = self._read_line()
            m = _STATUS.match(line)
            if m:
                text = m.group(3) or b""
                if text.startswith(b"{"):
                    text = self._items(text)[0]
                elif text.startswith(b'"'):
                    text = self._items(text)[0]
                return Response(m.group(1).decode(),
                                (m.group(2) or b"").decode(),
                                text.decode(errors="replace"), lines)
            lines.append(self._items(line))

    def command(self, name, *args):
        parts = [name.encode()]
        out = b""
        for arg in args:
            if isinstance(arg, Literal):
                marker = b"{%d%s}" % (len(arg.data), b"+" if arg.non_sync else b"")
                parts.append(marker)
                out += b" ".join(parts) + b"\r\n" + arg.data
                parts = [b""]
            elif isinstance(arg, int):
                parts.append(str(arg).encode())
            else:
                parts.append(quote(arg).encode())
        out += b" ".join(parts) + b"\r\n"
        self.send(out)
        return self.read_response()

    # ---- conveniences ------------------------------------------------------
    def capabilities(self, response=None):
        response = response or self.greeting
        return {items[0].decode(): (items[1].decode() if len(items) > 1
                                    else None)
                for items in response.lines}

    def starttls(self, context):
        r = self.command("STARTTLS")
        if r.status != "OK":
            return r
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        self.file = self.sock.makefile("rb")
        return self.read_response()

    def authenticate_plain(self, user, password, initial=True):
        token = base64.b64encode(b"\0" + user.encode() + b"\0" +
                                 password.encode()).decode()
        if initial:
            return self.command("AUTHENTICATE", "PLAIN", token)
        self.send(b'AUTHENTICATE "PLAIN"\r\n')
        challenge = self._read_line()
        if _STATUS.match(challenge):
            raise AssertionError("no challenge: %r" % challenge)
        self.send(quote(token).encode() + b"\r\n")
        return self.read_response()

    def _sasl_step(self, response):
        """Sends one SASL response string; returns the next challenge
        (decoded bytes), or the final Response."""
        self.send(quote(base64.b64encode(response).decode()).encode() +
                  b"\r\n")
        return self._challenge_or_response()

    def _challenge_or_response(self):
        line = self._read_line()
        m = _STATUS.match(line)
        if m:
            text = self._items(m.group(3))[0] if m.group(3) else b""
            return Response(m.group(1).decode(), (m.group(2) or b"").decode(),
                            text.decode(), [])
        return base64.b64decode(self._items(line)[0])

    def authenticate_scram(self, user, password):
        """SCRAM-SHA-256 (RFC 5802, RFC 7677) with the client-first message
        as initial response. Returns (Response, server proved itself)."""
        nonce = base64.b64encode(os.urandom(18)).decode()
        bare = "n=%s,r=%s" % (user, nonce)
        self.send(b'AUTHENTICATE "SCRAM-SHA-256" ' +
                  quote(base64.b64encode(b"n,," + bare.encode()).decode())
                  .encode() + b"\r\n")
        server_first = self._challenge_or_response()
        if isinstance(server_first, Response):
            return server_first, False
        attrs = dict(kv.split("=", 1)
                     for kv in server_first.decode().split(","))
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(),
                                     base64.b64decode(attrs["s"]),
                                     int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = ",".join([bare, server_first.decode(),
                                 without_proof]).encode()
        signature = hmac.new(hashlib.sha256(client_key).digest(),
                             auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_final = self._sasl_step(
            ("%s,p=%s" % (without_proof,
                          base64.b64encode(proof).decode())).encode())
        if isinstance(server_final, Response):
            return server_final, False
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        expected = b"v=" + base64.b64encode(
            hmac.new(server_key, auth_message, hashlib.sha256).digest())
        result = self._sasl_step(b"")
        return result, server_final == expected

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
