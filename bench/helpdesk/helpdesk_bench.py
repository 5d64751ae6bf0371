#!/usr/bin/env python3
"""Shared-helpdesk-mailbox benchmark for an IMAP server on 127.0.0.1.

    helpdesk_bench.py mbox FILE COUNT          synthetic tickets as an mbox
    helpdesk_bench.py maildir FOLDER COUNT     ... as a maildir folder
    helpdesk_bench.py run --port P --label L [options] > L.json
    helpdesk_bench.py report MAILROOM.json DOVECOT.json [--json OUT]

`run` expects these mailboxes, already filled (see run.sh):
  Helpdesk   (2,000 messages)  STORE/s with 1, 8, 64 connections
  Notify     (2,000 messages)  IDLE latency with 1, 100, 1,000 watchers
  Changes    (>= the largest change count)  QRESYNC vs number of changes
  Size<N>    (N messages each)  QRESYNC vs mailbox size, 100 changes
and prints one JSON object. Every session logs in as the same user.
"""

import argparse
import asyncio
import json
import os
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mailgen  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402
from imap_client import now  # noqa: E402

# One system flag per change count, so the levels do not undo each other.
_CHANGE_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Draft", "$Work",
                 "$Done")


def int_list(text):
    return [int(x) for x in text.split(",") if x.strip()]


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def log(message):
    print("helpdesk_bench: %s" % message, file=sys.stderr, flush=True)


async def guarded(coroutine):
    """The workload's figures, or {"error": ...} so one failed point does
    not lose the others."""
    try:
        return await coroutine
    except (OSError, EOFError, asyncio.TimeoutError,
            workloads.ImapError) as error:
        log("failed: %r" % error)
        return {"error": repr(error)[:300]}


async def run(args):
    server = workloads.Server(args.host, args.port, args.user, args.password,
                              args.timeout)
    result = {"label": args.label, "user": args.user, "warmup_s": {},
              "store": {}, "idle": {}, "qresync_changes": {},
              "qresync_size": {}}

    # A first SELECT of every mailbox, untimed: a server that indexes on
    # first access (Dovecot's maildir) pays that here, not in a figure.
    mailboxes = ["Helpdesk", "Notify", "Changes"] + [
        "Size%d" % n for n in args.sizes]
    warm = await server.connect("warm")
    for mailbox in mailboxes:
        started = now()
        await workloads.select(warm, mailbox, args.warmup_timeout)
        result["warmup_s"][mailbox] = now() - started
    await warm.logout()

    if args.store_connections:
        for connections in args.store_connections:
            runs = []
            for rep in range(args.reps_store):
                log("%s: STORE, %d connections, run %d"
                    % (args.label, connections, rep + 1))
                run_result = await guarded(workloads.store_level(
                    server, "Helpdesk", connections, args.store_seconds,
                    seed=rep))
                if "error" in run_result:
                    result["store"][str(connections)] = run_result
                    break
                runs.append(run_result)
            if not runs:
                continue
            result["store"][str(connections)] = {
                "median_ops_per_s": workloads.median(
                    [r["ops_per_s"] for r in runs]),
                "lost_updates": sum(r["lost_updates"] for r in runs),
                "errors": sum(r["errors"] for r in runs),
                "checked_pairs": sum(r["checked_pairs"] for r in runs),
                "median_p99_ms": workloads.median([r["p99_ms"] for r in runs]),
                "runs": runs,
            }

    first_uid = 1
    for watchers in args.idle_watchers:
        changes = args.idle_changes + args.idle_changes % 2
        log("%s: IDLE, %d watchers, %d changes"
            % (args.label, watchers, changes))
        result["idle"][str(watchers)] = await guarded(workloads.idle_level(
            server, "Notify", watchers, changes, first_uid, args.idle_wait,
            args.idle_gap, args.connect_parallel))
        first_uid += changes // 2
        await asyncio.sleep(1)  # let the server drop the watchers

    for n, changes in enumerate(args.changes):
        log("%s: QRESYNC, %d changes" % (args.label, changes))
        result["qresync_changes"][str(changes)] = await guarded(
            workloads.qresync_series(
                server, "Changes", changes,
                _CHANGE_FLAGS[n % len(_CHANGE_FLAGS)], args.reps))

    for size in args.sizes:
        log("%s: QRESYNC, %d messages, %d changes"
            % (args.label, size, args.size_changes))
        result["qresync_size"][str(size)] = await guarded(
            workloads.qresync_series(server, "Size%d" % size,
                                     args.size_changes, "\\Flagged",
                                     args.reps))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("mbox")
    p.add_argument("file")
    p.add_argument("count", type=int)
    p = sub.add_parser("maildir")
    p.add_argument("folder")
    p.add_argument("count", type=int)

    p = sub.add_parser("run")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", default="user1")
    p.add_argument("--password", default="pass")
    p.add_argument("--label", required=True)
    p.add_argument("--timeout", type=float, default=120,
                   help="per command, seconds")
    p.add_argument("--warmup_timeout", type=float, default=900)
    p.add_argument("--store_connections", type=int_list, default=[1, 8, 64])
    p.add_argument("--store_seconds", type=float, default=5)
    p.add_argument("--reps_store", type=int, default=3)
    p.add_argument("--idle_watchers", type=int_list, default=[1, 100, 1000])
    p.add_argument("--idle_changes", type=int, default=50)
    p.add_argument("--idle_wait", type=float, default=5,
                   help="longest wait for every watcher, per change")
    p.add_argument("--idle_gap", type=float, default=0.1,
                   help="pause after a change's last notification")
    p.add_argument("--connect_parallel", type=int, default=32)
    p.add_argument("--changes", type=int_list, default=[10, 100, 1000, 10000])
    p.add_argument("--sizes", type=int_list, default=[1000, 10000, 100000])
    p.add_argument("--size_changes", type=int, default=100)
    p.add_argument("--reps", type=int, default=5,
                   help="QRESYNC runs per point")

    p = sub.add_parser("report")
    p.add_argument("mailroom")
    p.add_argument("dovecot")
    p.add_argument("--json", help="write the combined figures here")
    p.add_argument("--machine", default="")

    args = parser.parse_args()
    if args.command == "mbox":
        mailgen.write_mbox(args.file, args.count)
    elif args.command == "maildir":
        mailgen.write_maildir(args.folder, args.count)
    elif args.command == "run":
        limit = raise_fd_limit()
        log("open file limit %d" % limit)
        result = asyncio.run(run(args))
        result["fd_limit"] = limit
        json.dump(result, sys.stdout, indent=1)
        print()
    else:
        with open(args.mailroom) as f:
            mr = json.load(f)
        with open(args.dovecot) as f:
            dc = json.load(f)
        combined = report.combine(mr, dc)
        combined["machine"] = args.machine
        if args.json:
            with open(args.json, "w") as f:
                json.dump(combined, f, indent=1)
        print(report.markdown(combined))


if __name__ == "__main__":
    main()
