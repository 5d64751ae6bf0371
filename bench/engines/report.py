#!/usr/bin/env python3
"""Prints engine_bench.py's JSON lines as one Markdown table, a column per
configuration."""

import json
import sys

ROWS = [
    ("delivery", "msg_per_s", "LMTP delivery, msg/s"),
    ("fetch", "mb_per_s", "FETCH BODY[], MB/s"),
    ("store", "store_per_s", "STORE, one session, /s"),
    ("idle", "p50_ms", "IDLE latency p50, ms"),
    ("idle", "p99_ms", "IDLE latency p99, ms"),
]


def main():
    results = {}
    labels = []
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r["label"] not in labels:
            labels.append(r["label"])
        results[(r["label"], r["workload"])] = r
    print("| figure | " + " | ".join(labels) + " |")
    print("|---|" + "---|" * len(labels))
    for workload, field, name in ROWS:
        cells = [str(results.get((l, workload), {}).get(field, "-"))
                 for l in labels]
        print("| %s | %s |" % (name, " | ".join(cells)))


if __name__ == "__main__":
    main()
