"""The three helpdesk workloads: concurrent flag STOREs on one mailbox, IDLE
notification latency with many watchers, and QRESYNC resync time.

Each coroutine opens its own sessions (every session logs in as the same
user, as agents sharing one helpdesk login do) and returns a dict of
figures. Not thread-safe: everything runs on one asyncio loop.
"""

import asyncio
import math
import random
import re
import statistics

from imap_client import (ImapConnection, ImapError, flags_of, now,
                         parse_untagged_number, response_codes)

STORE_FLAGS = ("\\Flagged", "\\Answered", "\\Seen", "\\Draft", "$Work",
               "$Done")
_UID_ITEM = re.compile(rb"UID (\d+)")


def percentile(values, fraction):
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered) - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def median(values):
    return statistics.median(values) if values else None


class Server:
    """Where to connect and as whom."""

    def __init__(self, host, port, user, password, timeout):
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.timeout = timeout

    async def connect(self, label="c"):
        return await ImapConnection.open(self.host, self.port, self.user,
                                         self.password, label, self.timeout)


async def select(conn, mailbox, timeout):
    """SELECTs mailbox; returns (EXISTS count, response codes)."""
    lines = await asyncio.wait_for(
        conn.command("SELECT %s" % mailbox), timeout)
    exists = 0
    for line in lines:
        number, keyword = parse_untagged_number(line)
        if keyword == "EXISTS":
            exists = number
    return exists, response_codes(lines)


async def fetch_flag_state(conn):
    """{uid: set(flags)} of the selected mailbox."""
    state = {}

    def keep(line):
        uid = _UID_ITEM.search(line)
        flags = flags_of(line)
        if uid and flags is not None:
            state[int(uid.group(1))] = flags

    await conn.command("UID FETCH 1:* (UID FLAGS)", on_untagged=keep)
    return state


# ---- 1. STORE/s ---------------------------------------------------------------

async def store_level(server, mailbox, connections, seconds, seed):
    """`connections` sessions each UID STORE +FLAGS/-FLAGS on random messages.

    Session c owns the messages whose UID is c (mod connections), so every
    (message, flag) pair has one writer and its final state must equal the
    last acknowledged operation on it; a difference counts as a lost update.
    """
    checker = await server.connect("k")
    total, _ = await select(checker, mailbox, server.timeout)
    before = await fetch_flag_state(checker)
    uids = sorted(before)
    expected = {}   # (uid, flag) -> present after the last OK
    unknown = set()  # pairs whose last command failed: not checkable
    latencies = []
    errors = [0]
    sessions = [await server.connect("s%d-" % c) for c in range(connections)]
    for conn in sessions:
        await select(conn, mailbox, server.timeout)

    def ignore(_line):
        pass

    async def work(c, conn):
        rng = random.Random(seed * 1000 + c)
        mine = uids[c::connections]
        if not mine:
            return
        deadline = now() + seconds
        while now() < deadline:
            uid = rng.choice(mine)
            flag = rng.choice(STORE_FLAGS)
            add = rng.random() < 0.5
            started = now()
            try:
                await asyncio.wait_for(conn.command(
                    "UID STORE %d %sFLAGS (%s)" % (uid, "+" if add else "-",
                                                   flag),
                    on_untagged=ignore), server.timeout)
            except (ImapError, OSError, asyncio.TimeoutError):
                errors[0] += 1
                unknown.add((uid, flag))
                return
            latencies.append(now() - started)
            expected[(uid, flag)] = add
            unknown.discard((uid, flag))

    started = now()
    await asyncio.gather(*(work(c, conn) for c, conn in enumerate(sessions)))
    elapsed = now() - started
    for conn in sessions:
        await conn.logout()

    await checker.logout()
    # A fresh session reads the final state: a session that stayed selected
    # may report flags from its own snapshot until its next NOOP.
    checker = await server.connect("k")
    await select(checker, mailbox, server.timeout)
    after = await fetch_flag_state(checker)
    await checker.logout()
    lost = 0
    for (uid, flag), present in expected.items():
        if (uid, flag) in unknown:
            continue
        if (flag in after.get(uid, set())) != present:
            lost += 1
    return {
        "connections": connections,
        "messages": total,
        "seconds": elapsed,
        "ops": len(latencies),
        "ops_per_s": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "errors": errors[0],
        "checked_pairs": len(expected) - len(unknown & set(expected)),
        "lost_updates": lost,
        "p50_ms": 1000 * (percentile(latencies, 0.5) or 0),
        "p99_ms": 1000 * (percentile(latencies, 0.99) or 0),
    }


# ---- 2. IDLE notification latency ---------------------------------------------

async def open_watchers(server, mailbox, count, parallel):
    """`count` sessions with `mailbox` selected, each in IDLE."""
    gate = asyncio.Semaphore(parallel)

    async def one(n):
        async with gate:
            conn = await server.connect("w%d-" % n)
            await select(conn, mailbox, server.timeout)
            await asyncio.wait_for(conn.idle_start(), server.timeout)
            return conn

    opened = await asyncio.gather(*(one(n) for n in range(count)),
                                  return_exceptions=True)
    conns = [c for c in opened if isinstance(c, ImapConnection)]
    failures = [c for c in opened if not isinstance(c, ImapConnection)]
    return conns, failures


async def idle_level(server, mailbox, watchers, changes, first_uid, wait,
                     gap, parallel):
    """One writer toggles \\Flagged; every watcher times its untagged FETCH.

    Change i sets (even i) or clears (odd i) \\Flagged on UID
    first_uid + i // 2, so each change is a real change and a late
    notification of an earlier change cannot be mistaken for the current
    one (the watcher checks the sequence number and the flag state).
    Returns the figures; latencies are taken from the writer's tagged OK
    and from the moment it sent the command.
    """
    setup_started = now()
    conns, failures = await open_watchers(server, mailbox, watchers,
                                          parallel)
    setup_seconds = now() - setup_started
    requested, watchers = watchers, len(conns)
    writer = await server.connect("writer")
    await select(writer, mailbox, server.timeout)

    current = {"seq": None, "flagged": None, "arrivals": {}}
    all_arrived = asyncio.Event()

    async def watch(n, conn):
        while True:
            try:
                line = await conn.read_response()
            except (ImapError, OSError, asyncio.IncompleteReadError):
                return
            seq, keyword = parse_untagged_number(line)
            if keyword != "FETCH" or seq != current["seq"]:
                continue
            flags = flags_of(line)
            if flags is None or ("\\Flagged" in flags) != current["flagged"]:
                continue
            arrivals = current["arrivals"]
            if n not in arrivals:
                arrivals[n] = now()
                if len(arrivals) == watchers:
                    all_arrived.set()

    readers = [asyncio.ensure_future(watch(n, conn))
               for n, conn in enumerate(conns)]
    from_ok, from_send, missed = [], [], 0
    try:
        for i in range(changes):
            uid = first_uid + i // 2
            add = i % 2 == 0
            all_arrived.clear()
            current.update(seq=uid, flagged=add, arrivals={})
            sent = now()
            await asyncio.wait_for(writer.command(
                "UID STORE %d %sFLAGS.SILENT (\\Flagged)"
                % (uid, "+" if add else "-")), server.timeout)
            acknowledged = now()
            try:
                await asyncio.wait_for(all_arrived.wait(), wait)
            except asyncio.TimeoutError:
                pass
            arrivals = current["arrivals"]
            current["seq"] = None
            missed += watchers - len(arrivals)
            for arrived in arrivals.values():
                from_ok.append(arrived - acknowledged)
                from_send.append(arrived - sent)
            await asyncio.sleep(gap)
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        for conn in conns:
            try:
                conn.writer.write(b"DONE\r\n")
            except (OSError, RuntimeError):
                pass
            conn.close()
        await writer.logout()

    def ms(value):
        return None if value is None else 1000 * value

    return {
        "watchers": requested,
        "watchers_open": watchers,
        "watcher_failures": sorted({str(f)[:200] for f in failures})[:5],
        "changes": changes,
        "samples": len(from_ok),
        "missed": missed,
        "setup_s": setup_seconds,
        "from_ok_p50_ms": ms(percentile(from_ok, 0.5)),
        "from_ok_p99_ms": ms(percentile(from_ok, 0.99)),
        "from_send_p50_ms": ms(percentile(from_send, 0.5)),
        "from_send_p99_ms": ms(percentile(from_send, 0.99)),
    }


# ---- 3. QRESYNC resync time ----------------------------------------------------

async def qresync_once(server, mailbox, changes, flag, add):
    """Records the mailbox's modseq, changes `flag` on UIDs 1:changes, then
    times a fresh session's SELECT (QRESYNC (uidvalidity modseq))."""
    writer = await server.connect("q")
    await writer.command("ENABLE QRESYNC")
    _, codes = await select(writer, mailbox, server.timeout)
    uidvalidity = codes.get("UIDVALIDITY")
    modseq = codes.get("HIGHESTMODSEQ")
    if uidvalidity is None or modseq is None:
        raise ImapError("SELECT gave no UIDVALIDITY/HIGHESTMODSEQ")
    await asyncio.wait_for(writer.command(
        "UID STORE 1:%d %sFLAGS.SILENT (%s)" % (changes, "+" if add else "-",
                                                flag)), server.timeout)
    await writer.logout()

    reader = await server.connect("r")
    await reader.command("ENABLE QRESYNC")
    bytes_before = reader.bytes_in
    started = now()
    lines = await asyncio.wait_for(reader.command(
        "SELECT %s (QRESYNC (%d %d))" % (mailbox, uidvalidity, modseq)),
        server.timeout)
    elapsed = now() - started
    received = reader.bytes_in - bytes_before
    fetches = sum(1 for line in lines
                  if parse_untagged_number(line)[1] == "FETCH")
    await reader.logout()
    return {"ms": 1000 * elapsed, "bytes": received, "fetch_lines": fetches}


async def qresync_series(server, mailbox, changes, flag, reps):
    """`reps` runs of qresync_once, alternately setting and clearing `flag`
    so that each run makes `changes` real changes; medians plus the runs."""
    runs = []
    for rep in range(reps):
        runs.append(await qresync_once(server, mailbox, changes, flag,
                                       add=rep % 2 == 0))
    if reps % 2 == 1:  # leave the flag as it was found
        writer = await server.connect("u")
        await select(writer, mailbox, server.timeout)
        await writer.command("UID STORE 1:%d -FLAGS.SILENT (%s)"
                             % (changes, flag))
        await writer.logout()
    return {
        "changes": changes,
        "median_ms": median([r["ms"] for r in runs]),
        "median_bytes": median([r["bytes"] for r in runs]),
        "median_fetch_lines": median([r["fetch_lines"] for r in runs]),
        "runs": runs,
    }
