#!/usr/bin/env python3
"""The same mail load against one or more mailroomd nodes of one store, to
compare storage engines (RocksDB, RADOS) and one node against two.

    engine_bench.py --nodes IMAP:LMTP[,IMAP:LMTP...] --user U --password P

Workloads, in order, each reported as one JSON line:
  delivery  --deliveries messages over LMTP, --concurrency connections at a
            time, spread over the nodes in turn: messages per second
  fetch     FETCH 1:* BODY.PEEK[] on the first node: MB per second
  store     one session toggling \\Flagged on message 1 (STORE +/-FLAGS):
            STOREs per second
  idle      a session in IDLE on the last node, a STORE on the first: the
            time until the FETCH reaches the idler, p50 and p99 (with two
            nodes this crosses nodes)
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "helpdesk"))
from imap_client import ImapConnection  # noqa: E402


def make_message(i, size):
    body = ("line %d of a benchmark message, with some text to index.\r\n"
            % i) * max(1, size // 60)
    return ("From: Load <load@example.com>\r\nTo: user@localhost\r\n"
            "Subject: load %d\r\nMessage-ID: <load-%d@example.com>\r\n\r\n%s"
            % (i, i, body))


async def lmtp_deliver(port, user, messages):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def reply():
        while True:
            line = await reader.readline()
            if not line:
                raise RuntimeError("LMTP closed")
            if line[3:4] != b"-":
                if not line[:1] in (b"2", b"3"):
                    raise RuntimeError("LMTP: %r" % line)
                return

    async def say(text):
        writer.write(text.encode() + b"\r\n")
        await writer.drain()
        await reply()

    await reply()
    await say("LHLO bench")
    for data in messages:
        await say("MAIL FROM:<load@example.com>")
        await say("RCPT TO:<%s@localhost>" % user)
        await say("DATA")
        writer.write(data.replace("\r\n.", "\r\n..").encode() + b"\r\n.\r\n")
        await writer.drain()
        await reply()
    writer.close()


async def delivery(nodes, args):
    per_conn = args.deliveries // args.concurrency
    start = time.monotonic()
    await asyncio.gather(*[
        lmtp_deliver(nodes[c % len(nodes)][1], args.user,
                     [make_message(c * per_conn + i, args.size)
                      for i in range(per_conn)])
        for c in range(args.concurrency)])
    elapsed = time.monotonic() - start
    return {"workload": "delivery", "messages": per_conn * args.concurrency,
            "seconds": round(elapsed, 3),
            "msg_per_s": round(per_conn * args.concurrency / elapsed, 1)}


async def fetch(nodes, args):
    conn = await ImapConnection.open("127.0.0.1", nodes[0][0], args.user,
                                     args.password)
    await conn.command("EXAMINE INBOX")
    before = conn.bytes_in
    start = time.monotonic()
    await conn.command("FETCH 1:* BODY.PEEK[]", on_untagged=lambda l: None)
    elapsed = time.monotonic() - start
    await conn.logout()
    mb = (conn.bytes_in - before) / 1e6
    return {"workload": "fetch", "mb": round(mb, 2),
            "seconds": round(elapsed, 3), "mb_per_s": round(mb / elapsed, 1)}


async def store(nodes, args):
    conn = await ImapConnection.open("127.0.0.1", nodes[0][0], args.user,
                                     args.password)
    await conn.command("SELECT INBOX")
    start = time.monotonic()
    for i in range(args.stores):
        sign = "+" if i % 2 == 0 else "-"
        await conn.command("STORE 1 %sFLAGS.SILENT (\\Flagged)" % sign)
    elapsed = time.monotonic() - start
    await conn.logout()
    return {"workload": "store", "stores": args.stores,
            "seconds": round(elapsed, 3),
            "store_per_s": round(args.stores / elapsed, 1)}


async def idle(nodes, args):
    idler = await ImapConnection.open("127.0.0.1", nodes[-1][0], args.user,
                                      args.password, label="i")
    writer = await ImapConnection.open("127.0.0.1", nodes[0][0], args.user,
                                       args.password, label="w")
    await idler.command("SELECT INBOX")
    await writer.command("SELECT INBOX")
    latencies = []
    for i in range(args.idle_rounds):
        tag = await idler.idle_start()
        sign = "+" if i % 2 == 0 else "-"
        sent = time.monotonic()
        await writer.send("%s STORE 2 %sFLAGS.SILENT (\\Answered)"
                          % (writer.next_tag(), sign))
        while True:
            line = await asyncio.wait_for(idler.read_response(), 30)
            if b" FETCH " in line:
                latencies.append(time.monotonic() - sent)
                break
        while not (await writer.read_response()).startswith(b"w"):
            pass
        await idler.send("DONE")
        await idler.read_until_tagged(tag)
    await idler.logout()
    await writer.logout()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return {"workload": "idle", "rounds": len(latencies),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p99_ms": round(p99 * 1000, 2)}


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", required=True,
                        help="IMAP:LMTP port pairs of the nodes, comma-separated")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--label", default="")
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--stores", type=int, default=300)
    parser.add_argument("--idle_rounds", type=int, default=100)
    args = parser.parse_args()
    nodes = [tuple(int(p) for p in pair.split(":"))
             for pair in args.nodes.split(",")]
    for workload in (delivery, fetch, store, idle):
        result = await workload(nodes, args)
        result["label"] = args.label
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
