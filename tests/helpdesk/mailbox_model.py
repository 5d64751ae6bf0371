"""A client's picture of a selected mailbox, kept from untagged responses
only: EXISTS, EXPUNGE, VANISHED and FETCH (RFC 3501 section 7, RFC 7162).

Slots are in sequence order; a slot is [uid or None, flags or None]. A
message announced only by EXISTS has an unknown UID and unknown flags until
a FETCH names them, as for a real client.
"""

import re
import threading

from tests.helpdesk.imap_wire import parse_fetch, parse_uid_set

_EXISTS = re.compile(r"^\* (\d+) EXISTS$")
_EXPUNGE = re.compile(r"^\* (\d+) EXPUNGE$")
_VANISHED = re.compile(r"^\* VANISHED (\(EARLIER\) )?(\S+)$")


class MailboxModel:
    """Thread-safe: an IDLE reader thread may apply while another reads."""

    def __init__(self):
        self._lock = threading.Lock()
        self.slots = []
        self.errors = []  # responses that contradict the model
        self.log = []     # every untagged line applied

    def apply(self, line):
        with self._lock:
            self.log.append(line)
            self._apply(line)

    def _apply(self, line):
        m = _EXISTS.match(line)
        if m:
            n = int(m.group(1))
            if n < len(self.slots):
                self.errors.append("EXISTS shrank to %d from %d: %s" %
                                   (n, len(self.slots), line))
                del self.slots[n:]
            while len(self.slots) < n:
                self.slots.append([None, None])
            return
        m = _EXPUNGE.match(line)
        if m:
            n = int(m.group(1))
            if not 1 <= n <= len(self.slots):
                self.errors.append("EXPUNGE out of range: " + line)
                return
            del self.slots[n - 1]
            return
        m = _VANISHED.match(line)
        if m:
            gone = set(parse_uid_set(m.group(2)))
            known = {s[0] for s in self.slots}
            if not m.group(1) and not gone <= known:
                self.errors.append("VANISHED of unknown UIDs: " + line)
            self.slots = [s for s in self.slots if s[0] not in gone]
            return
        parsed = parse_fetch(line)
        if parsed:
            seq, items = parsed
            if not 1 <= seq <= len(self.slots):
                self.errors.append("FETCH out of range: " + line)
                return
            slot = self.slots[seq - 1]
            if "UID" in items:
                if slot[0] is not None and slot[0] != items["UID"]:
                    self.errors.append("FETCH names UID %d where %d was: %s" %
                                       (items["UID"], slot[0], line))
                slot[0] = items["UID"]
            if "FLAGS" in items:
                slot[1] = items["FLAGS"]

    def unknown_seqs(self):
        with self._lock:
            return [i + 1 for i, s in enumerate(self.slots)
                    if s[0] is None or s[1] is None]

    def uids(self):
        with self._lock:
            return [s[0] for s in self.slots]

    def state(self):
        """[(uid, flags)] in sequence order."""
        with self._lock:
            return [(s[0], s[1]) for s in self.slots]


def fill_unknown(conn, model):
    """What a client does after EXISTS: fetches UID and FLAGS of the slots
    it cannot name yet (the answers reach the model through the listener)."""
    seqs = model.unknown_seqs()
    if seqs:
        conn.ok("FETCH %s (UID FLAGS)" % ",".join(str(s) for s in seqs))


def without_recent(state):
    """\\Recent is per session; the comparison ignores it."""
    return [(uid, frozenset(f for f in flags if f.lower() != "\\recent"))
            for uid, flags in state]
