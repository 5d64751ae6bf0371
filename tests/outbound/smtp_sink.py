"""A minimal SMTP server for tests and benchmarks (RFC 5321 subset).

SmtpSink(port=0, rcpt_reply=None, data_reply="250 2.0.0 queued")
    Serves on 127.0.0.1 in a thread. `messages` is a list of
    (mail_from, [rcpt, ...], data) tuples with the dot-stuffing undone and
    the reverse-path and recipients as sent between < and >.
    rcpt_reply(address) may return a reply line to refuse a recipient.
    Multi-line EHLO reply, RSET, NOOP, QUIT.
"""

import socket
import socketserver
import threading
import time


class _Handler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        # Replies go out line by line: without this, Nagle's algorithm holds
        # the second line of a multi-line reply for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sink = self.server.sink
        self.send("220 sink.test ESMTP ready")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.send("250-sink.test greets you")
                self.send("250-8BITMIME")
                self.send("250 SIZE 10485760")
            elif line.upper().startswith("MAIL FROM:"):
                mail_from, rcpts = line[10:].strip(), []
                self.send("250 2.1.0 ok")
            elif line.upper().startswith("RCPT TO:"):
                address = line[8:].strip()
                refusal = sink.rcpt_reply(address) if sink.rcpt_reply else None
                if refusal:
                    self.send(refusal)
                else:
                    rcpts.append(address)
                    self.send("250 2.1.5 ok")
            elif verb == "DATA":
                self.send("354 go ahead")
                lines = []
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    if raw == b".\r\n":
                        break
                    if raw.startswith(b"."):
                        raw = raw[1:]
                    lines.append(raw)
                with sink.lock:
                    sink.messages.append((mail_from, list(rcpts),
                                          b"".join(lines)))
                self.send(sink.data_reply)
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.send("250 2.0.0 ok")
            elif verb == "NOOP":
                self.send("250 2.0.0 ok")
            elif verb == "QUIT":
                self.send("221 2.0.0 bye")
                return
            else:
                self.send("502 5.5.2 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    def __init__(self, port=0, rcpt_reply=None, data_reply="250 2.0.0 queued"):
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply
        self.messages = []
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        daemon=True)
        self._thread.start()

    def wait_for(self, count, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError("sink got %d of %d messages" %
                             (len(self.messages), count))

    def close(self):
        self._server.shutdown()
        self._server.server_close()

