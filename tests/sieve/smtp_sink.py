"""A minimal SMTP server for tests: accepts every message and keeps it.

    with SmtpSink() as sink:           # listens on 127.0.0.1:sink.port
        ...
        [msg] = sink.wait_for(1)       # (mail_from, [rcpts], data bytes)

Speaks just enough RFC 5321 for a relay client: EHLO/HELO, MAIL, RCPT,
DATA (dot-unstuffed), RSET, NOOP, QUIT.
"""

import socketserver
import threading
import time


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        self.reply("220 sink.test ESMTP")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8"
                           if verb == "EHLO" else "250 sink.test")
            elif verb == "MAIL":
                mail_from = line[line.index("<") + 1:line.index(">")]
                rcpts = []
                self.reply("250 2.1.0 OK")
            elif verb == "RCPT":
                rcpts.append(line[line.index("<") + 1:line.index(">")])
                self.reply("250 2.1.5 OK")
            elif verb == "DATA":
                self.reply("354 go on")
                data = b""
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk == b".\r\n":
                        break
                    if chunk.startswith(b"."):
                        chunk = chunk[1:]
                    data += chunk
                with sink.lock:
                    sink.messages.append((mail_from, rcpts, data))
                self.reply("250 2.0.0 queued")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("250 2.0.0 OK")


class SmtpSink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0),
                                                      _Handler)
        self.server.daemon_threads = True
        self.server.sink = self
        self.port = self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False

    def wait_for(self, count, timeout=30):
        """Waits until `count` messages arrived; returns all of them."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)
