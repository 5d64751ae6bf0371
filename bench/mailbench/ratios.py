#!/usr/bin/env python3
"""Prints the main mailbench figures of Mailroom and a peer side by side.

    ratios.py MAILROOM.json PEER.json

Each file holds the output of `mailbench.py all` (its last line is the JSON
result). For every figure the ratio says how many times better Mailroom is
(>1 better, <1 worse), whether higher or lower is the better direction.
"""
import json
import sys

# (path in the result, True if higher is better)
FIGURES = [
    (("deliver", "msgs_per_s"), True),
    (("deliver", "mb_per_s"), True),
    (("search", "warmup_s"), False),
    (("search", "sum_median_ms"), False),
    (("fetch", "envelope", "median_s"), False),
    (("fetch", "bodystructure", "median_s"), False),
    (("fetch", "body", "mb_per_s"), True),
    (("flags", "stores_per_s"), True),
    (("flags", "inconsistencies"), False),
    (("flags", "idle_latency_unloaded_ms_median"), False),
    (("flags", "idle_latency_loaded_ms_median"), False),
    (("pop3", "login_stat_s"), False),
    (("pop3", "uidl_s"), False),
    (("pop3", "retr_msgs_per_s"), True),
    (("pop3", "retr_mb_per_s"), True),
]


def load(path):
    with open(path) as f:
        lines = [l for l in f if l.startswith('{"mailbench"')]
    if not lines:
        sys.exit("%s: no mailbench result line" % path)
    return json.loads(lines[-1])["results"]


def lookup(result, path):
    value = result
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, (int, float)) else None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ours, peer = load(sys.argv[1]), load(sys.argv[2])
    print("%-42s %12s %12s %8s" % ("figure", "mailroom", "peer", "ratio"))
    for path, higher_better in FIGURES:
        a, b = lookup(ours, path), lookup(peer, path)
        ratio = ""
        if a is not None and b is not None and a > 0 and b > 0:
            ratio = "%.2f" % ((a / b) if higher_better else (b / a))
        elif a == 0 and b == 0:
            ratio = "="
        print("%-42s %12s %12s %8s" % (".".join(path), a, b, ratio))
    differ = []
    qa = {q["name"]: q for q in ours.get("search", {}).get("queries", [])}
    for q in peer.get("search", {}).get("queries", []):
        if qa.get(q["name"], {}).get("digest") != q.get("digest"):
            differ.append(q["name"])
    print("searches with different result sets: %s" % (", ".join(differ) or "none"))


if __name__ == "__main__":
    main()
