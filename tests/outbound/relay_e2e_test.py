"""The outbound relay end to end: messages queued in the store leave
through mailroomd's relay worker to an SMTP sink, with the right envelope;
a relay that is down defers them; a relay that refuses for good drops them
(logged); they survive kill -9; mailroomctl queue list/delete/flush."""

import json
import os
import socket
import subprocess
import tempfile
import time
import unittest

from tests.harness.mailroomd import Mailroomd, find_file, free_port
from tests.outbound.smtp_sink import SmtpSink

MESSAGE = (b"From: alice@example.org\r\n"
           b"To: bob@example.net\r\n"
           b"Subject: away\r\n"
           b"\r\n"
           b"I am away.\r\n"
           b".\r\n"
           b"..a line that starts with dots\r\n"
           b"bye\r\n")


def relay_flags(port, retry_seconds=1):
    return ["--sieve_smtp=127.0.0.1:%d" % port, "--sieve_smtp_tls=none",
            "--sieve_smtp_poll_ms=100", "--sieve_smtp_timeout_seconds=5",
            "--sieve_smtp_retry_seconds=%d" % retry_seconds]


def wait_until(predicate, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class RelayTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.message_file = os.path.join(self.tmp, "message.eml")
        with open(self.message_file, "wb") as f:
            f.write(MESSAGE)
        self.sinks = []
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.__exit__(None, None, None)
        for sink in self.sinks:
            sink.close()
        self._tmp.cleanup()

    def daemon(self, flags):
        server = Mailroomd(self.tmp, tls=False, plugins=(), extra_flags=flags)
        self.servers.append(server)
        return server

    def sink(self, **kwargs):
        sink = SmtpSink(**kwargs)
        self.sinks.append(sink)
        return sink

    def queue(self, server, sender, recipients, count=1):
        out = subprocess.run(
            [find_file("tests/outbound/queue_outbound"), server.data_dir, sender,
             ",".join(recipients), self.message_file, str(count)],
            check=True, capture_output=True, text=True).stdout
        return out.split()

    def queued(self, server):
        doc = json.loads(server.ctl("queue", "list", "--json").stdout)
        self.assertTrue(doc["ok"])
        return doc["messages"]

    def test_message_reaches_the_relay_with_its_envelope(self):
        sink = self.sink()
        server = self.daemon(relay_flags(sink.port))
        os.makedirs(server.data_dir, exist_ok=True)
        self.queue(server, "", ["bob@example.net", "carol@example.net"])
        server.start()
        mail_from, rcpts, data = sink.wait_for(1)[0]
        self.assertEqual(mail_from, "<>")  # the null reverse-path
        self.assertEqual(rcpts, ["<bob@example.net>", "<carol@example.net>"])
        self.assertEqual(data, MESSAGE)  # dot-stuffing undone by the sink
        wait_until(lambda: self.queued(server) == [], what="an empty queue")
        self.assertIn("sent: 250 2.0.0 queued", server.log())

    def test_relay_down_defers_then_flush_sends(self):
        port = free_port()
        server = self.daemon(relay_flags(port, retry_seconds=3600))
        os.makedirs(server.data_dir, exist_ok=True)
        [queued_id] = self.queue(server, "alice@example.org",
                                 ["bob@example.net"])
        server.start()
        wait_until(lambda: "deferred" in server.log(), what="a deferral")
        [entry] = self.queued(server)
        self.assertEqual(entry["id"], queued_id)
        self.assertGreaterEqual(entry["attempts"], 1)
        self.assertNotEqual(entry["last_error"], "")
        self.assertGreater(entry["next_attempt_at"], time.time() + 3000)
        sink = self.sink(port=port)
        time.sleep(0.5)
        self.assertEqual(sink.messages, [])  # waits for its back-off
        flushed = json.loads(server.ctl("queue", "flush", "--json").stdout)
        self.assertEqual(flushed["flushed"], 1)
        mail_from, rcpts, _ = sink.wait_for(1)[0]
        self.assertEqual(mail_from, "<alice@example.org>")
        self.assertEqual(rcpts, ["<bob@example.net>"])
        wait_until(lambda: self.queued(server) == [], what="an empty queue")

    def test_permanent_refusal_drops_and_logs(self):
        sink = self.sink(
            rcpt_reply=lambda address: "550 5.1.1 no such user here")
        server = self.daemon(relay_flags(sink.port))
        os.makedirs(server.data_dir, exist_ok=True)
        self.queue(server, "", ["nobody@example.net"])
        server.start()
        wait_until(lambda: "refused for good" in server.log(),
                   what="the refusal in the log")
        self.assertIn("550 5.1.1 no such user here", server.log())
        self.assertEqual(self.queued(server), [])
        self.assertEqual(sink.messages, [])

    def test_partial_refusal_sends_to_the_others(self):
        sink = self.sink(rcpt_reply=lambda address: (
            "550 5.1.1 unknown" if "nobody" in address else None))
        server = self.daemon(relay_flags(sink.port))
        os.makedirs(server.data_dir, exist_ok=True)
        self.queue(server, "", ["nobody@example.net", "bob@example.net"])
        server.start()
        _, rcpts, _ = sink.wait_for(1)[0]
        self.assertEqual(rcpts, ["<bob@example.net>"])
        wait_until(lambda: "refused for good for nobody@example.net"
                   in server.log(), what="the refused recipient logged")

    def test_temporary_refusal_retries(self):
        replies = ["451 4.3.0 try again later"]
        sink = self.sink(rcpt_reply=lambda address:
                         replies.pop() if replies else None)
        server = self.daemon(relay_flags(sink.port, retry_seconds=1))
        os.makedirs(server.data_dir, exist_ok=True)
        self.queue(server, "", ["bob@example.net"])
        server.start()
        sink.wait_for(1)
        self.assertIn("451 4.3.0 try again later", server.log())
        wait_until(lambda: self.queued(server) == [], what="an empty queue")

    def test_queued_message_survives_kill9(self):
        port = free_port()
        server = self.daemon(relay_flags(port, retry_seconds=1))
        os.makedirs(server.data_dir, exist_ok=True)
        self.queue(server, "", ["bob@example.net"], count=3)
        server.start()
        # All three tried and deferred: a message still claimed by the
        # killed daemon would wait for its claim to run out instead.
        wait_until(lambda: server.log().count("deferred") >= 3,
                   what="three deferrals")
        server.kill9()
        sink = self.sink(port=port)
        server.start()
        messages = sink.wait_for(3)
        self.assertEqual(len(messages), 3)
        wait_until(lambda: self.queued(server) == [], what="an empty queue")

    def test_clean_stop_gives_unsent_messages_back(self):
        # A relay that takes the connection and never answers holds the
        # worker on the first message of its batch until the reply timeout.
        hole = socket.socket()
        hole.bind(("127.0.0.1", free_port()))
        hole.listen(16)
        self.addCleanup(hole.close)
        server = self.daemon(relay_flags(hole.getsockname()[1], retry_seconds=1))
        os.makedirs(server.data_dir, exist_ok=True)
        self.queue(server, "", ["bob@example.net"], count=3)
        server.start()
        wait_until(lambda: all(m["attempts"] == 1 for m in self.queued(server)),
                   what="all three claimed")
        self.assertEqual(server.stop(), 0)
        # One was tried (and deferred by a second); the two never tried are
        # due now rather than claimed for minutes by a daemon that is gone.
        queued = self.queued(server)
        self.assertEqual(len(queued), 3)
        self.assertTrue(all(m["next_attempt_at"] <= time.time() + 2
                            for m in queued), queued)

    def test_without_relay_messages_stay_and_can_be_deleted(self):
        server = self.daemon([])
        os.makedirs(server.data_dir, exist_ok=True)
        ids = self.queue(server, "", ["bob@example.net"], count=2)
        server.start()
        self.assertIn("no outbound relay configured", server.log())
        self.assertEqual(sorted(m["id"] for m in self.queued(server)),
                         sorted(ids))
        server.ctl("queue", "delete", ids[0])
        self.assertEqual([m["id"] for m in self.queued(server)], [ids[1]])
        missing = server.ctl("queue", "delete", ids[0], "--json", check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertFalse(json.loads(missing.stdout)["ok"])
        text = server.ctl("queue", "list").stdout
        self.assertIn("1 message(s) queued", text)
        self.assertIn("bob@example.net", text)


if __name__ == "__main__":
    unittest.main()
