#!/usr/bin/env python3
"""Runs the same IMAP SEARCH queries on two servers and compares them.

    imap_side_by_side.py --maildir DIR --vocabulary FILE --messages N
        --server mailroom=127.0.0.1:PORT --server dovecot=127.0.0.1:PORT
        [--user user1 --password pass] [--seed 1] [--repeats 5]
        [--json OUT.json]

Both servers hold the same generated INBOX (write_mail). The driver

  1. maps each server's UIDs to message numbers (the generator numbers its
     messages in its Message-ID, "<n.seed@gen.example>");
  2. sets the same flags on both: \\Flagged when n % 7 == 0, \\Seen unless
     n % 3 == 0;
  3. builds ~10 queries per class from the generator's vocabulary and from
     sampled message texts, deterministically by --seed;
  4. runs every query --repeats times on each server (UID SEARCH, timed
     from sending the command to its tagged OK) and reports p50/p99 per
     class and server;
  5. compares the answers; for every message on which they differ, a
     brute-force evaluator (Python's email package: RFC 2047 headers,
     transfer encodings, charsets, HTML rendered to text, then i;unicode-casemap
     folding and a plain substring test, as RFC 3501 and RFC 9051 define
     SEARCH: a phrase broken across lines does not match) decides which
     server is right, and wrong answers are counted per server. With one
     --server only latencies are measured.

Only the standard library; only loopback addresses.
"""

import argparse
import datetime
import email
import email.header
import html
import json
import math
import os
import random
import re
import socket
import sys
import time
import unicodedata

CLASSES = ["rare word", "common word", "phrase", "substring in word",
           "header field", "flags + text", "date range", "OR of terms",
           "NOT"]

GENERATOR_EPOCH = 1577836800  # see write_mail.cc
GENERATOR_STEP = 613


# ---- a small IMAP client ---------------------------------------------------

class ImapError(Exception):
    pass


class Imap:
    """Synchronous IMAP4rev1 client: one command at a time, literals both
    ways. Not thread-safe."""

    def __init__(self, host, port, timeout=900):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("loopback only")
        self.sock = socket.create_connection((host, port), timeout)
        self.buffer = b""
        self.counter = 0
        self.read_line()  # greeting

    def read_line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ImapError("connection closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def read_exact(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(max(1 << 20, n - len(self.buffer)))
            if not chunk:
                raise ImapError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_response(self):
        """One response with its literals inlined as (line, [literals])."""
        line = self.read_line()
        literals = []
        while True:
            m = re.search(rb"\{(\d+)\}$", line)
            if not m:
                return line, literals
            literals.append(self.read_exact(int(m.group(1))))
            line += b"\x00" + self.read_line()

    def command(self, *parts):
        """Sends a command; parts are bytes (sent as they are) or
        ("literal", bytes). Returns the untagged responses."""
        self.counter += 1
        tag = b"T%d" % self.counter
        pieces = [tag]
        for part in parts:
            if isinstance(part, tuple):
                pieces.append(b"{%d}" % len(part[1]))
                self.sock.sendall(b" ".join(pieces) + b"\r\n")
                line, _ = self.read_response()
                if not line.startswith(b"+"):
                    raise ImapError(line.decode("utf-8", "replace"))
                pieces = [part[1]]
            else:
                pieces.append(part)
        self.sock.sendall(b" ".join(pieces) + b"\r\n")
        untagged = []
        while True:
            line, literals = self.read_response()
            if line.startswith(tag + b" "):
                if not line[len(tag) + 1:].upper().startswith(b"OK"):
                    raise ImapError(line.decode("utf-8", "replace"))
                return untagged
            untagged.append((line, literals))

    def close(self):
        try:
            self.command(b"LOGOUT")
        except (ImapError, OSError):
            pass
        self.sock.close()


def quoted(s):
    return b'"' + s.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def uid_set(uids):
    """Compact sequence set of sorted UIDs."""
    out, start, prev = [], None, None
    for uid in uids:
        if start is None:
            start = prev = uid
        elif uid == prev + 1:
            prev = uid
        else:
            out.append("%d:%d" % (start, prev) if start != prev else str(start))
            start = prev = uid
    if start is not None:
        out.append("%d:%d" % (start, prev) if start != prev else str(start))
    return out


# ---- queries ---------------------------------------------------------------
# A query is a tree: ("and", [q...]), ("or", a, b), ("not", a),
# ("body", s), ("header", field, s) (field: from, subject or any header
# name), ("flag", name, wanted) and ("since"|"before", date).

def imap_date(d):
    return "%d-%s-%d" % (d.day, d.strftime("%b"), d.year)


def serialize(query):
    """The query as IMAP search-key parts (bytes or literals)."""
    kind = query[0]
    if kind == "and":
        parts = []
        for sub in query[1]:
            parts += serialize(sub)
        return parts
    if kind == "or":
        return [b"OR"] + serialize(query[1]) + serialize(query[2])
    if kind == "not":
        return [b"NOT"] + serialize(query[1])

    def string(s):
        raw = s.encode("utf-8")
        if all(32 <= b < 127 for b in raw):
            return quoted(raw)
        return ("literal", raw)

    if kind == "body":
        return [b"BODY", string(query[1])]
    if kind == "header":
        field = query[1]
        if field in ("from", "subject", "to", "cc"):
            return [field.upper().encode(), string(query[2])]
        return [b"HEADER", field.encode(), string(query[2])]
    if kind == "flag":
        names = {("flagged", True): b"FLAGGED", ("flagged", False): b"UNFLAGGED",
                 ("seen", True): b"SEEN", ("seen", False): b"UNSEEN"}
        return [names[(query[1], query[2])]]
    if kind in ("since", "before"):
        return [kind.upper().encode(), imap_date(query[1]).encode()]
    raise ValueError(kind)


def describe(query):
    parts = serialize(query)
    return " ".join(p[1].decode() if isinstance(p, tuple) else p.decode()
                    for p in parts)


def needs_utf8(query):
    return any(isinstance(p, tuple) for p in serialize(query))


def flags_of(n):
    return {"flagged": n % 7 == 0, "seen": n % 3 != 0}


def internal_date(n):
    return datetime.datetime.fromtimestamp(
        GENERATOR_EPOCH + n * GENERATOR_STEP, datetime.timezone.utc).date()


# ---- brute force -----------------------------------------------------------

def fold(text):
    # i;unicode-casemap (RFC 5051) approximated: case folding, then NFKD.
    return unicodedata.normalize("NFKD", text.casefold())


def decode_header_value(raw):
    if not isinstance(raw, str):  # a header with raw 8-bit bytes
        raw = str(raw)
    raw = re.sub(r"\r?\n(?=[ \t])", "", raw)
    try:
        return str(email.header.make_header(email.header.decode_header(raw)))
    except (UnicodeDecodeError, LookupError, email.errors.HeaderParseError):
        return raw


def html_to_text(markup):
    # As a browser renders it: tags dropped, any run of white space (line
    # breaks included) is one space, then entities decoded.
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", "", markup))
    return html.unescape(text)


class Truth:
    """Decodes generated messages on demand and evaluates queries on them.
    Not thread-safe."""

    def __init__(self, maildir):
        self.maildir = maildir
        self.cache = {}

    def path(self, n):
        when = GENERATOR_EPOCH + n * GENERATOR_STEP
        return os.path.join(self.maildir, "cur", "%d.M%dP1.gen:2," % (when, n))

    def fields(self, n):
        if n in self.cache:
            return self.cache[n]
        with open(self.path(n), "rb") as f:
            msg = email.message_from_bytes(f.read())
        headers = {}
        for name, value in msg.items():
            key = name.lower()
            decoded = fold(decode_header_value(value))
            headers[key] = headers.get(key, "") + " " + decoded \
                if key in headers else decoded
        body = []
        for part in msg.walk():
            if part.get_content_maintype() != "text":
                continue
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "us-ascii"
            try:
                text = payload.decode(charset, "replace")
            except LookupError:
                text = payload.decode("utf-8", "replace")
            if part.get_content_subtype() == "html":
                text = html_to_text(text)
            body.append(fold(text))
        result = (headers, " ".join(body))
        self.cache[n] = result
        return result

    def matches(self, query, n):
        kind = query[0]
        if kind == "and":
            return all(self.matches(q, n) for q in query[1])
        if kind == "or":
            return self.matches(query[1], n) or self.matches(query[2], n)
        if kind == "not":
            return not self.matches(query[1], n)
        if kind == "flag":
            return flags_of(n)[query[1]] == query[2]
        if kind == "since":
            return internal_date(n) >= query[1]
        if kind == "before":
            return internal_date(n) < query[1]
        headers, body = self.fields(n)
        if kind == "body":
            return fold(query[1]) in body
        if kind == "header":
            return fold(query[2]) in headers.get(query[1].lower(), "")
        raise ValueError(kind)


# ---- choosing terms --------------------------------------------------------

def build_queries(vocabulary, truth, messages, seed, per_class):
    rng = random.Random(seed)
    ascii_words = [w for w in vocabulary if w.isascii()]

    def pick(lo, hi, k, pool=vocabulary, min_len=1):
        ranks = [r for r in range(lo, min(hi, len(pool)))
                 if len(pool[r]) >= min_len]
        return [pool[r] for r in rng.sample(ranks, k)]

    def body(w):
        return ("body", w)

    first = internal_date(1)
    last = internal_date(messages)
    span = (last - first).days
    queries = {c: [] for c in CLASSES}
    queries["rare word"] = [body(w) for w in pick(20000, 45000, per_class)]
    # At least 3 characters: Dovecot's fts_xapian partial=3 cannot look up
    # shorter terms (the OR and NOT classes still meet a few).
    queries["common word"] = [body(w) for w in pick(0, 40, per_class,
                                                    min_len=3)]

    # Phrases: 2-3 consecutive words of one sentence of a sampled message.
    while len(queries["phrase"]) < per_class:
        n = rng.randint(1, messages)
        sentences = [s.split() for s in
                     re.split(r"[.?!<>]", truth.fields(n)[1])]
        sentences = [s for s in sentences if len(s) >= 3]
        if not sentences:
            continue
        words = rng.choice(sentences)
        length = rng.choice((2, 3))
        start = rng.randint(0, len(words) - length)
        queries["phrase"].append(body(" ".join(words[start:start + length])))

    for w in pick(200, 5000, per_class, min_len=7):
        size = rng.choice((4, 5)) if len(w) >= 8 else 4
        start = rng.randint(1, len(w) - size - 1)
        queries["substring in word"].append(body(w[start:start + size]))

    headers = []
    for w in pick(50, 500, 4, pool=ascii_words):
        headers.append(("header", "from", w))
    for w in pick(100, 2000, 3):
        headers.append(("header", "subject", w))
    headers.append(("header", "X-Ticket", "T-%d" % rng.randint(10, 999)))
    headers.append(("header", "X-Ticket", "pending"))
    headers.append(("header", "X-Ticket", "closed"))
    queries["header field"] = headers[:per_class] if per_class < 10 else headers

    for i, w in enumerate(pick(20, 500, per_class)):
        flag = [("flag", "flagged", True), ("flag", "seen", False),
                ("flag", "seen", True)][i % 3]
        queries["flags + text"].append(("and", [flag, body(w)]))

    for _ in range(per_class):
        start = first + datetime.timedelta(days=rng.randint(0, max(0, span - 1)))
        end = start + datetime.timedelta(days=rng.randint(1, 30))
        queries["date range"].append(("and", [("since", start), ("before", end)]))

    for _ in range(per_class):
        a, b, c = pick(500, 5000, 3)
        queries["OR of terms"].append(
            ("or", body(a), ("or", body(b), body(c))))

    for _ in range(per_class):
        (a,) = pick(0, 10, 1)
        (b,) = pick(10, 100, 1)
        queries["NOT"].append(("and", [body(a), ("not", body(b))]))
    return queries


# ---- per server ------------------------------------------------------------

class Server:
    """One logged-in connection with INBOX selected. Not thread-safe."""

    def __init__(self, name, address, user, password):
        host, port = address.rsplit(":", 1)
        self.name = name
        self.imap = Imap(host, int(port))
        self.imap.command(b"LOGIN", quoted(user.encode()),
                          quoted(password.encode()))
        self.imap.command(b"SELECT", b"INBOX")
        self.uid_to_n = {}

    def map_uids(self):
        responses = self.imap.command(
            b"UID", b"FETCH", b"1:*",
            b"(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        for line, literals in responses:
            m = re.search(rb"UID (\d+)", line)
            if not m or not literals:
                continue
            mid = re.search(rb"<(\d+)\.", literals[0])
            if mid:
                self.uid_to_n[int(m.group(1))] = int(mid.group(1))
        return len(self.uid_to_n)

    def set_flags(self):
        by_flag = {"\\Flagged": [], "\\Seen": []}
        for uid, n in sorted(self.uid_to_n.items()):
            f = flags_of(n)
            if f["flagged"]:
                by_flag["\\Flagged"].append(uid)
            if f["seen"]:
                by_flag["\\Seen"].append(uid)
        self.imap.command(b"UID", b"STORE", b"1:*", b"-FLAGS.SILENT",
                          b"(\\Flagged \\Seen)")
        for flag, uids in by_flag.items():
            ranges = uid_set(uids)
            for i in range(0, len(ranges), 500):
                self.imap.command(b"UID", b"STORE",
                                  ",".join(ranges[i:i + 500]).encode(),
                                  b"+FLAGS.SILENT", b"(" + flag.encode() + b")")

    def search(self, query):
        parts = [b"UID", b"SEARCH"]
        if needs_utf8(query):
            parts += [b"CHARSET", b"UTF-8"]
        parts += serialize(query)
        start = time.perf_counter()
        responses = self.imap.command(*parts)
        elapsed = time.perf_counter() - start
        found = set()
        for line, _ in responses:
            if line.upper().startswith(b"* SEARCH"):
                for token in line[8:].split():
                    if token.isdigit():
                        found.add(self.uid_to_n.get(int(token), -int(token)))
        return elapsed, found


def percentile(samples, p):
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = math.ceil(p / 100 * len(ordered))  # nearest rank, 1-based
    return ordered[max(0, min(len(ordered), rank) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--vocabulary", required=True)
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--server", action="append", required=True,
                        help="NAME=HOST:PORT (twice)")
    parser.add_argument("--user", default="user1")
    parser.add_argument("--password", default="pass")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per_class", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--slow_seconds", type=float, default=60,
                        help="a query whose first run takes longer runs once")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()

    with open(args.vocabulary, encoding="utf-8") as f:
        vocabulary = [w for w in f.read().split("\n") if w]
    truth = Truth(args.maildir)
    queries = build_queries(vocabulary, truth, args.messages, args.seed,
                            args.per_class)

    servers = []
    for spec in args.server:
        name, address = spec.split("=", 1)
        server = Server(name, address, args.user, args.password)
        count = server.map_uids()
        if count != args.messages:
            print("%s: %d messages mapped, expected %d" %
                  (name, count, args.messages), file=sys.stderr)
        server.set_flags()
        servers.append(server)

    report = {"messages": args.messages, "repeats": args.repeats,
              "classes": {}}
    for cls in CLASSES:
        entry = {"queries": [], "times": {s.name: [] for s in servers},
                 "agree": 0, "wrong": {s.name: 0 for s in servers},
                 "wrong_queries": {s.name: 0 for s in servers}}
        for query in queries[cls]:
            answers = {}
            for server in servers:
                times = []
                for r in range(args.repeats):
                    elapsed, found = server.search(query)
                    times.append(elapsed)
                    if r == 0 and elapsed > args.slow_seconds:
                        break
                entry["times"][server.name] += times
                answers[server.name] = found
            differing = []
            if len(servers) == 2:
                a, b = (answers[s.name] for s in servers)
                differing = sorted(a ^ b)
            wrong = {s.name: 0 for s in servers}
            for n in differing:
                right = n > 0 and truth.matches(query, n)
                for s in servers:
                    if (n in answers[s.name]) != right:
                        wrong[s.name] += 1
            if not differing:
                entry["agree"] += 1
            for s in servers:
                entry["wrong"][s.name] += wrong[s.name]
                entry["wrong_queries"][s.name] += 1 if wrong[s.name] else 0
            entry["queries"].append({
                "query": describe(query),
                "hits": {s.name: len(answers[s.name]) for s in servers},
                "differing": len(differing), "wrong": wrong,
                "ms": {s.name: [round(t * 1000, 2)
                                for t in entry["times"][s.name][-args.repeats:]]
                       for s in servers}})
            print("%-18s %-50s %s" % (cls, describe(query)[:50], "  ".join(
                "%s %d hits %.1f ms wrong %d" % (
                    s.name, len(answers[s.name]),
                    1000 * min(entry["times"][s.name][-args.repeats:]),
                    wrong[s.name]) for s in servers)), file=sys.stderr)
        report["classes"][cls] = entry

    for s in servers:
        s.imap.close()

    names = [s.name for s in servers]
    if len(names) == 1:
        lines = ["| class | %s p50 ms | %s p99 ms |" % (names[0], names[0]),
                 "|---|---|---|"]
        for cls in CLASSES:
            e = report["classes"][cls]
            t = e.pop("times")[names[0]]
            e["p50_ms"] = {names[0]: percentile(t, 50) * 1000}
            e["p99_ms"] = {names[0]: percentile(t, 99) * 1000}
            lines.append("| %s | %.1f | %.1f |" % (
                cls, e["p50_ms"][names[0]], e["p99_ms"][names[0]]))
        names = []
    else:
        lines = ["| class | %s p50 ms | %s p99 ms | %s p50 ms | %s p99 ms | "
                 "p50 ratio %s/%s | queries agreeing | wrong answers %s / %s |"
                 % (names[0], names[0], names[1], names[1], names[1], names[0],
                    names[0], names[1]),
                 "|---|---|---|---|---|---|---|---|"]
    for cls in CLASSES if names else []:
        e = report["classes"][cls]
        p = {n: (percentile(e["times"][n], 50) * 1000,
                 percentile(e["times"][n], 99) * 1000) for n in names}
        e["p50_ms"] = {n: p[n][0] for n in names}
        e["p99_ms"] = {n: p[n][1] for n in names}
        ratio = p[names[1]][0] / p[names[0]][0] if p[names[0]][0] else float("nan")
        lines.append("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %d/%d | "
                     "%d (%d q) / %d (%d q) |" % (
                         cls, p[names[0]][0], p[names[0]][1], p[names[1]][0],
                         p[names[1]][1], ratio, e["agree"], len(e["queries"]),
                         e["wrong"][names[0]], e["wrong_queries"][names[0]],
                         e["wrong"][names[1]], e["wrong_queries"][names[1]]))
        del e["times"]
    table = "\n".join(lines)
    report["table"] = table
    print(table)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
