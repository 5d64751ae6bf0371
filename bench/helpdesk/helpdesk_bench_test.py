"""Tests of the benchmark's own logic: message generation, response reading,
lost-update counting (against a small fake IMAP server on 127.0.0.1 that can
be told to drop updates) and the report."""

import asyncio
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mailgen  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402
from imap_client import (ImapConnection, ImapError, flags_of,  # noqa: E402
                         parse_untagged_number, response_codes)


class FakeImapServer:
    """Just enough IMAP for store_level: LOGIN, SELECT, UID FETCH 1:*
    (UID FLAGS), UID STORE n +/-FLAGS (f), LOGOUT. With drop_every=k every
    k-th STORE is acknowledged but not applied. One asyncio loop; not
    thread-safe."""

    def __init__(self, messages, drop_every=0):
        self.flags = {uid: set() for uid in range(1, messages + 1)}
        self.drop_every = drop_every
        self.stores = 0

    async def handle(self, reader, writer):
        writer.write(b"* OK fake ready\r\n")
        while True:
            line = await reader.readline()
            if not line:
                break
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            out = []
            store = re.match(r"UID STORE (\d+) ([+-])FLAGS \((\S+)\)", rest)
            if rest.startswith("SELECT"):
                out.append("* %d EXISTS" % len(self.flags))
                out.append("* OK [UIDVALIDITY 7] ok")
            elif rest.startswith("UID FETCH"):
                for uid, flags in sorted(self.flags.items()):
                    out.append("* %d FETCH (UID %d FLAGS (%s))"
                               % (uid, uid, " ".join(sorted(flags))))
            elif store:
                self.stores += 1
                uid, sign, flag = int(store.group(1)), store.group(2), \
                    store.group(3)
                dropped = (self.drop_every and
                           self.stores % self.drop_every == 0)
                if not dropped:
                    if sign == "+":
                        self.flags[uid].add(flag)
                    else:
                        self.flags[uid].discard(flag)
                out.append("* %d FETCH (FLAGS (%s))" % (
                    uid, " ".join(sorted(self.flags[uid]))))
            elif rest.startswith("LOGOUT"):
                out.append("* BYE bye")
            out.append("%s OK done" % tag)
            writer.write(("\r\n".join(out) + "\r\n").encode())
            await writer.drain()
            if rest.startswith("LOGOUT"):
                break
        writer.close()


async def run_store_level(drop_every, connections=3):
    fake = FakeImapServer(messages=30, drop_every=drop_every)
    server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        target = workloads.Server("127.0.0.1", port, "u", "p", timeout=10)
        return await workloads.store_level(target, "Helpdesk", connections,
                                           seconds=0.3, seed=1)
    finally:
        server.close()
        await server.wait_closed()


class StoreLevelTest(unittest.TestCase):
    def test_honest_server_loses_nothing(self):
        result = asyncio.run(run_store_level(drop_every=0))
        self.assertGreater(result["ops"], 10)
        self.assertEqual(result["errors"], 0)
        self.assertEqual(result["lost_updates"], 0)
        self.assertEqual(result["messages"], 30)

    def test_dropped_updates_are_counted(self):
        # Dropping every 2nd STORE leaves some pairs in the wrong state
        # (a dropped op whose pair is never touched again).
        result = asyncio.run(run_store_level(drop_every=2, connections=1))
        self.assertGreater(result["lost_updates"], 0)
        self.assertLessEqual(result["lost_updates"], result["checked_pairs"])


class ReadResponseTest(unittest.TestCase):
    def read_all(self, data):
        async def go():
            reader = asyncio.StreamReader()
            reader.feed_data(data)
            reader.feed_eof()
            conn = ImapConnection(reader, writer=None)
            lines = []
            while True:
                try:
                    lines.append(await conn.read_response())
                except ImapError:
                    return lines, conn.bytes_in
        return asyncio.run(go())

    def test_literal_is_joined_and_bytes_counted(self):
        data = (b"* 1 FETCH (BODY[] {5}\r\nhello FLAGS (\\Seen))\r\n"
                b"a1 OK done\r\n")
        lines, received = self.read_all(data)
        self.assertEqual(lines[0],
                         b"* 1 FETCH (BODY[] {5}\r\nhello FLAGS (\\Seen))")
        self.assertEqual(lines[1], b"a1 OK done")
        self.assertEqual(received, len(data))

    def test_parsers(self):
        self.assertEqual(parse_untagged_number(b"* 12 FETCH (FLAGS ())"),
                         (12, "FETCH"))
        self.assertEqual(parse_untagged_number(b"* OK [UIDVALIDITY 3]"),
                         (None, None))
        self.assertEqual(flags_of(b"* 2 FETCH (UID 2 FLAGS (\\Seen $Work))"),
                         {"\\Seen", "$Work"})
        self.assertIsNone(flags_of(b"* 2 FETCH (UID 2)"))
        self.assertEqual(
            response_codes([b"* OK [UIDVALIDITY 9] x",
                            b"* OK [HIGHESTMODSEQ 12345] y"]),
            {"UIDVALIDITY": 9, "HIGHESTMODSEQ": 12345})

    def test_percentile(self):
        values = list(range(1, 101))
        self.assertEqual(workloads.percentile(values, 0.5), 50)
        self.assertEqual(workloads.percentile(values, 0.99), 99)
        self.assertIsNone(workloads.percentile([], 0.5))


class MailgenTest(unittest.TestCase):
    def test_mbox_has_one_from_line_per_message(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "a.mbox")
            mailgen.write_mbox(path, 25)
            with open(path, "rb") as f:
                lines = f.read().split(b"\n")
            self.assertEqual(sum(1 for x in lines if x.startswith(b"From ")),
                             25)

    def test_maildir_names_carry_sizes(self):
        with tempfile.TemporaryDirectory() as tmp:
            mailgen.write_maildir(os.path.join(tmp, ".Box"), 7)
            cur = os.path.join(tmp, ".Box", "cur")
            names = os.listdir(cur)
            self.assertEqual(len(names), 7)
            for name in names:
                with open(os.path.join(cur, name), "rb") as f:
                    data = f.read()
                size = int(re.search(r",S=(\d+)", name).group(1))
                crlf = int(re.search(r",W=(\d+)", name).group(1))
                self.assertEqual(size, len(data))
                self.assertEqual(crlf, len(data) + data.count(b"\n"))

    def test_tickets_differ_and_repeat(self):
        self.assertEqual(mailgen.ticket(5), mailgen.ticket(5))
        self.assertNotEqual(mailgen.ticket(5), mailgen.ticket(6))


class ReportTest(unittest.TestCase):
    def test_ratio_rows(self):
        mr = {"store": {"8": {"median_ops_per_s": 300.0}},
              "qresync_size": {"1000": {"median_ms": 2.0}}}
        dc = {"store": {"8": {"median_ops_per_s": 100.0}},
              "qresync_size": {"1000": {"median_ms": 4.0}}}
        rows = report.combine(mr, dc)["rows"]
        by_metric = {(r["section"], r["metric"]): r for r in rows}
        self.assertAlmostEqual(
            by_metric[("STORE", "UID STORE/s (median)")]["ratio"], 3.0)
        self.assertAlmostEqual(
            by_metric[("QRESYNC vs size", "SELECT ms (median)")]["ratio"], 0.5)
        table = report.markdown(report.combine(mr, dc))
        self.assertIn("| STORE | 8 conn | UID STORE/s (median) | 300 | 100 "
                      "| 3.00 |", table)


if __name__ == "__main__":
    unittest.main()
