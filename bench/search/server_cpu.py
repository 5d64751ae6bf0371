#!/usr/bin/env python3
"""Server CPU per query for the shared load tool's SEARCH queries.

Wall time on a shared machine mostly measures the other processes; the CPU
time the server process spends per query (utime + stime from /proc) does
not. Runs every query of mailbench.py's SEARCH_QUERIES against one or more
running servers (each given as IMAP_PORT:PID, all holding the same mail for
user1/pass in INBOX, e.g. two builds over copies of one data directory) and
prints the CPU milliseconds per query side by side.

    bench/search/server_cpu.py --mailbench /path/to/mailbench.py \\
        --runs 40 17743:12345 17643:12346
"""
import argparse
import imaplib
import importlib.util
import os


def cpu_ms(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mailbench", required=True)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("servers", nargs="+", help="IMAP_PORT:PID")
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("mailbench", args.mailbench)
    mailbench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mailbench)
    sessions = []
    for server in args.servers:
        port, pid = server.split(":")
        imap = imaplib.IMAP4("127.0.0.1", int(port))
        imap.login("user1", "pass")
        imap.select("INBOX")
        sessions.append((imap, pid))
    totals = [0.0] * len(sessions)
    for name, key in mailbench.SEARCH_QUERIES:
        row = []
        answers = set()
        for i, (imap, pid) in enumerate(sessions):
            answers.add(imap.uid("SEARCH", key)[1][0])  # warm, and the answer
            start = cpu_ms(pid)
            for _ in range(args.runs):
                imap.uid("SEARCH", key)
            row.append((cpu_ms(pid) - start) / args.runs)
            totals[i] += row[-1]
        flag = "" if len(answers) == 1 else "  ANSWERS DIFFER"
        print(f"{name:28s}" + "".join(f"{ms:9.2f}" for ms in row) + flag)
    print(f"{'sum (CPU ms per query)':28s}" + "".join(f"{t:9.2f}" for t in totals))


if __name__ == "__main__":
    main()
