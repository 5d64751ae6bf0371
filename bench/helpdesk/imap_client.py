"""A minimal asyncio IMAP client for benchmarks (plain TCP, LOGIN).

It sends one command at a time per connection and reads whole responses:
a response line that ends in a literal announcement `{n}` is joined with the
n bytes that follow and the rest of the line, so a FETCH carrying a literal
is one item. Every byte read is counted in `bytes_in`, which the QRESYNC
figure reports.

Not thread-safe: one asyncio event loop owns each connection.
"""

import asyncio
import re
import time

_LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
_RESPONSE_CODE_NUMBER = re.compile(rb"\[([A-Z-]+) (\d+)\]")
# "* 12 FETCH (...)" or "* 12 EXISTS"
_UNTAGGED_NUMBER = re.compile(rb"^\* (\d+) ([A-Z]+)")

READ_LIMIT = 1 << 22  # longest single response line the reader accepts


class ImapError(Exception):
    """A command ended in NO/BAD/BYE, or the connection broke."""


def parse_untagged_number(line):
    """(number, keyword) of '* N KEYWORD ...', else (None, None)."""
    match = _UNTAGGED_NUMBER.match(line)
    if not match:
        return None, None
    return int(match.group(1)), match.group(2).decode()


def response_codes(lines):
    """{'UIDVALIDITY': n, 'HIGHESTMODSEQ': n, ...} from numeric response codes."""
    codes = {}
    for line in lines:
        for match in _RESPONSE_CODE_NUMBER.finditer(line):
            codes[match.group(1).decode()] = int(match.group(2))
    return codes


def flags_of(line):
    """The set of flags in a FETCH line's FLAGS (...) item, or None."""
    start = line.find(b"FLAGS (")
    if start < 0:
        return None
    end = line.find(b")", start)
    if end < 0:
        return None
    return set(line[start + 7:end].decode().split())


class ImapConnection:
    def __init__(self, reader, writer, label="c"):
        self.reader = reader
        self.writer = writer
        self.bytes_in = 0
        self._tag_prefix = label
        self._tag_number = 0

    @classmethod
    async def open(cls, host, port, user, password, label="c", timeout=60):
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, limit=READ_LIMIT), timeout)
        conn = cls(reader, writer, label)
        greeting = await asyncio.wait_for(conn.read_response(), timeout)
        if not greeting.startswith(b"* OK"):
            conn.close()
            raise ImapError("greeting: %r" % greeting[:200])
        await asyncio.wait_for(
            conn.command("LOGIN %s %s" % (quote(user), quote(password))),
            timeout)
        return conn

    def close(self):
        try:
            self.writer.close()
        except (OSError, RuntimeError):
            pass

    async def logout(self):
        try:
            await asyncio.wait_for(self.command("LOGOUT"), 5)
        except (ImapError, OSError, asyncio.TimeoutError):
            pass
        self.close()

    async def read_response(self):
        """One response line (literals joined in), without the final CRLF."""
        parts = []
        while True:
            line = await self.reader.readline()
            if not line:
                raise ImapError("connection closed")
            self.bytes_in += len(line)
            match = _LITERAL.search(line)
            if not match:
                parts.append(line[:-2] if line.endswith(b"\r\n") else line)
                return b"".join(parts)
            size = int(match.group(1))
            literal = await self.reader.readexactly(size)
            self.bytes_in += size
            parts.append(line)
            parts.append(literal)

    def next_tag(self):
        self._tag_number += 1
        return "%s%d" % (self._tag_prefix, self._tag_number)

    async def send(self, text):
        self.writer.write(text.encode() + b"\r\n")
        await self.writer.drain()

    async def command(self, text, on_untagged=None):
        """Sends `TAG text`; returns the untagged lines. Raises on NO/BAD.

        on_untagged(line), when given, sees each untagged line as it arrives
        and the lines are not kept.
        """
        tag = self.next_tag()
        await self.send("%s %s" % (tag, text))
        return await self.read_until_tagged(tag, on_untagged)

    async def read_until_tagged(self, tag, on_untagged=None):
        tag_bytes = tag.encode() + b" "
        lines = []
        while True:
            line = await self.read_response()
            if line.startswith(tag_bytes):
                status = line[len(tag_bytes):len(tag_bytes) + 3]
                if status != b"OK ":
                    raise ImapError("%s: %r" % (tag, line[:300]))
                return lines
            if line.startswith(b"* BYE"):
                raise ImapError("BYE: %r" % line[:300])
            if on_untagged is not None:
                on_untagged(line)
            else:
                lines.append(line)

    async def idle_start(self):
        """Sends IDLE and waits for the continuation; returns the tag."""
        tag = self.next_tag()
        await self.send("%s IDLE" % tag)
        while True:
            line = await self.read_response()
            if line.startswith(b"+"):
                return tag
            if line.startswith(tag.encode() + b" "):
                raise ImapError("IDLE refused: %r" % line[:300])


def quote(text):
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def now():
    return time.perf_counter()
