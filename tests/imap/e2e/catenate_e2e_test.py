"""IMAP end to end: CATENATE (RFC 4469) with IMAP URLs (RFC 5092).

The RFC's examples, forwarding an attachment without downloading it (the
bytes compared with the source's), BADURL for every way a URL can fail
(including a mailbox the user may not read, answered like a missing one),
TOOBIG, the part limit and MULTIAPPEND atomicity.
"""

import base64
import os
import re
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import untagged

BOUNDARY = "------------030308070208000400050907"


def draft(attachment, text="Our travel agent has sent the schedule.\r\n"):
    """A multipart/mixed message: 1 text/plain, 2 application/x-zip."""
    encoded = base64.encodebytes(attachment).replace(b"\n", b"\r\n").decode()
    return (
        "Message-ID: <419399E1.6000505@example.org>\r\n"
        "Date: Thu, 12 Nov 2004 16:57:05 +0000\r\n"
        "From: Bob Ar <bar@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "To: foo@example.net\r\n"
        "Subject: About our holiday trip\r\n"
        "Content-Type: multipart/mixed;\r\n"
        " boundary=\"%s\"\r\n"
        "\r\n"
        "--%s\r\n"
        "Content-Type: text/plain; charset=us-ascii; format=flowed\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "%s"
        "--%s\r\n"
        "Content-Type: application/x-zip-compressed; name=\"trip.zip\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "%s"
        "--%s--\r\n" % (BOUNDARY, BOUNDARY, text, BOUNDARY, encoded, BOUNDARY)
    ).encode()


def literal(data):
    if isinstance(data, str):
        data = data.encode()
    return b"{%d+}\r\n" % len(data) + data


class CatenateTestBase(e2e_base.ImapTestCase):

    def catenate(self, client, mailbox, *messages):
        """APPEND with one CATENATE list per message; each part is
        ("TEXT", bytes) or ("URL", str). Returns (lines, tagged line)."""
        tag = client.next_tag()
        out = b"%s APPEND %s" % (tag.encode(), mailbox.encode())
        for parts in messages:
            out += b" CATENATE ("
            items = []
            for kind, value in parts:
                if kind == "TEXT":
                    items.append(b"TEXT " + literal(value))
                else:
                    items.append(b'URL "' + value.encode() + b'"')
            out += b" ".join(items) + b")"
        client.send(out + b"\r\n")
        return client.collect(tag)

    def uidvalidity(self, client, mailbox):
        lines = client.ok("STATUS %s (UIDVALIDITY MESSAGES)" % mailbox)
        status = untagged(lines, "STATUS")[0]
        return int(re.search(r"UIDVALIDITY (\d+)", status).group(1))

    def messages(self, client, mailbox):
        lines = client.ok("STATUS %s (MESSAGES)" % mailbox)
        return int(re.search(r"MESSAGES (\d+)",
                             untagged(lines, "STATUS")[0]).group(1))


class CatenateTest(CatenateTestBase):

    def setUp(self):
        super().setUp()
        self.client, self.user = self.session()
        # New accounts come with Drafts (and the other special-use folders).
        self.attachment = os.urandom(3000)
        self.source = draft(self.attachment)
        tagged = self.client.append("Drafts", self.source)
        self.assertIn("OK", tagged)
        self.src_uid = int(re.search(r"APPENDUID \d+ (\d+)", tagged).group(1))
        self.uv = self.uidvalidity(self.client, "Drafts")
        self.base = "/Drafts;UIDVALIDITY=%d/;UID=%d" % (self.uv, self.src_uid)

    def read_back(self, mailbox, uid):
        self.client.ok("EXAMINE %s" % mailbox)
        lines = self.client.ok("UID FETCH %d (BODY.PEEK[])" % uid)
        body = [l for l in lines if "BODY[]" in l][0]
        start = body.index("}\r\n") + 3
        size = int(re.search(r"\{(\d+)\}\r\n", body).group(1))
        return body[start:start + size]

    def appended_uid(self, tagged):
        m = re.search(r"\[APPENDUID (\d+) ([\d,:]+)\]", tagged)
        self.assertIsNotNone(m, tagged)
        return m.group(2)

    def test_capability(self):
        lines = self.client.ok("CAPABILITY")
        self.assertIn(" CATENATE", untagged(lines, "CAPABILITY")[0])

    def test_rfc4469_example1_replaces_attachment(self):
        # The draft keeps its header and text part; the attachment is
        # replaced by the whole of another message (UID 30 in the RFC).
        other = b"From: x@example.org\r\nSubject: other\r\n\r\nother body\r\n"
        tagged = self.client.append("Drafts", other)
        other_uid = int(re.search(r"APPENDUID \d+ (\d+)", tagged).group(1))
        sep = "\r\n--%s\r\n" % BOUNDARY
        end = "\r\n--%s--\r\n" % BOUNDARY
        _, tagged = self.catenate(self.client, "Drafts", [
            ("URL", self.base + "/;section=HEADER"),
            ("TEXT", sep),
            ("URL", self.base + "/;section=1.MIME"),
            ("URL", self.base + "/;section=1"),
            ("TEXT", sep),
            ("URL", "/Drafts;UIDVALIDITY=%d/;UID=%d" % (self.uv, other_uid)),
            ("TEXT", end),
        ])
        self.assertTrue(tagged.split()[1] == "OK", tagged)
        new_uid = int(self.appended_uid(tagged))
        src = self.source.decode()
        header = src[:src.index("\r\n\r\n") + 4]
        part1_start = src.index("Content-Type: text/plain")
        part1_body = src.index("\r\n\r\n", part1_start) + 4
        part1_mime = src[part1_start:part1_body]
        part1 = src[part1_body:src.index("\r\n--" + BOUNDARY, part1_body)]
        expected = (header + sep + part1_mime + part1 + sep + other.decode() +
                    end)
        self.assertEqual(self.read_back("Drafts", new_uid), expected)

    def test_rfc4469_example2_text_first_and_appenduid(self):
        head = ("From: Bob Ar <bar@example.org>\r\nSubject: About our holiday"
                " trip\r\nContent-Type: multipart/mixed;\r\n boundary=\"%s\""
                "\r\n\r\n--%s\r\nContent-Type: text/plain\r\n\r\nEdited.\r\n"
                "--%s\r\n" % (BOUNDARY, BOUNDARY, BOUNDARY))
        _, tagged = self.catenate(self.client, "Drafts", [
            ("TEXT", head),
            ("URL", self.base + "/;Section=2.MIME"),
            ("URL", self.base + "/;Section=2"),
            ("TEXT", "\r\n--%s--\r\n" % BOUNDARY),
        ])
        self.assertIn("[APPENDUID %d " % self.uv, tagged)
        new_uid = int(self.appended_uid(tagged))
        # The attachment decodes to the source's bytes.
        text = self.read_back("Drafts", new_uid)
        b64 = text.split("Content-Transfer-Encoding: base64\r\n\r\n")[1]
        b64 = b64.split("\r\n--")[0]
        self.assertEqual(base64.b64decode(b64), self.attachment)

    def test_forward_attachment_bytes_equal_source(self):
        self.client.ok("CREATE Forwarded")
        _, tagged = self.catenate(self.client, "Forwarded", [
            ("TEXT", "From: me@example.org\r\nSubject: Fwd\r\n"
                     "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                     "--b\r\n"),
            ("URL", self.base + "/;SECTION=2.MIME"),
            ("URL", self.base + "/;SECTION=2"),
            ("TEXT", "\r\n--b--\r\n"),
        ])
        self.assertEqual(tagged.split()[1], "OK", tagged)
        new_uid = int(self.appended_uid(tagged))
        self.client.ok("EXAMINE Drafts")
        source_part = self.client.ok(
            "UID FETCH %d (BODY.PEEK[2])" % self.src_uid)
        self.client.ok("EXAMINE Forwarded")
        new_part = self.client.ok("UID FETCH %d (BODY.PEEK[1])" % new_uid)
        strip = lambda lines: [l for l in lines if "FETCH" in l][0].split(
            "}\r\n", 1)[1]
        self.assertEqual(strip(source_part), strip(new_part))
        self.assertGreater(len(strip(new_part)), 4000)

    def test_source_not_marked_seen_and_partial(self):
        _, tagged = self.catenate(self.client, "INBOX", [
            ("URL", self.base + "/;SECTION=HEADER.FIELDS%20(SUBJECT)"),
            ("TEXT", "body: "),
            ("URL", self.base + "/;SECTION=1/;PARTIAL=4.6"),
        ])
        self.assertEqual(tagged.split()[1], "OK", tagged)
        new_uid = int(self.appended_uid(tagged))
        self.assertEqual(self.read_back("INBOX", new_uid),
                         "Subject: About our holiday trip\r\n\r\n"
                         "body: travel")
        self.client.ok("EXAMINE Drafts")
        lines = self.client.ok("UID FETCH %d (FLAGS)" % self.src_uid)
        self.assertNotIn("\\Seen", [l for l in lines if "FLAGS" in l][0])

    def test_relative_and_absolute_urls(self):
        host = self.client.greeting.split("] ", 1)[1].split(" ")[0]
        self.client.ok("SELECT Drafts")
        _, tagged = self.catenate(self.client, "INBOX", [
            ("URL", ";UID=%d/;SECTION=1" % self.src_uid),
            ("URL", "imap://%s@%s/Drafts;UIDVALIDITY=%d/;UID=%d/;SECTION=1"
             % (self.user, host, self.uv, self.src_uid)),
        ])
        self.assertEqual(tagged.split()[1], "OK", tagged)
        new_uid = int(self.appended_uid(tagged))
        part = "Our travel agent has sent the schedule."
        self.assertEqual(self.read_back("INBOX", new_uid), part * 2)
        # Another user or another server in an absolute URL: not ours.
        for url in ("imap://nobody@%s/Drafts/;UID=%d" % (host, self.src_uid),
                    "imap://%s@elsewhere.example/Drafts/;UID=%d"
                    % (self.user, self.src_uid)):
            _, tagged = self.catenate(self.client, "INBOX", [("URL", url)])
            self.assertIn("NO [BADURL %s]" % url, tagged)

    def test_badurl_cases_store_nothing(self):
        owner, owner_name = self.session()
        owner.ok("CREATE Private")
        owner.append("Private", self.source)
        owner.ok("CREATE Listed")
        owner.append("Listed", self.source)
        # Lookup only: the mailbox is visible but not readable.
        owner.ok("SETACL Listed %s l" % self.user)
        before = self.messages(self.client, "INBOX")
        cases = [
            "/Drafts;UIDVALIDITY=%d/;UID=%d" % (self.uv + 1, self.src_uid),
            "/Drafts;UIDVALIDITY=%d/;UID=%d" % (self.uv, self.src_uid + 50),
            self.base + "/;SECTION=4.1",
            self.base + "/;SECTION=1.HEADER",
            self.base + "/;SECTION=BOGUS",
            "/NoSuchMailbox/;UID=1",
            "/Other Users/%s/Private/;UID=1" % owner_name,
            "/Other Users/%s/Listed/;UID=1" % owner_name,
            "/Other Users/%s/Missing/;UID=1" % owner_name,
            "/Drafts;UIDVALIDITY=x/;UID=1",
            "/Drafts?SUBJECT%20x",
            "http://example.com/",
            ";UID=1",  # relative, but nothing is selected
        ]
        for url in cases:
            _, tagged = self.catenate(self.client, "INBOX", [
                ("TEXT", "Subject: x\r\n\r\n"), ("URL", url)])
            self.assertEqual(
                tagged.split(" ", 1)[1],
                "NO [BADURL %s] Cannot fetch that URL" % url, url)
        # The same answer whether the mailbox is unreadable or missing.
        self.assertEqual(self.messages(self.client, "INBOX"), before)
        self.client.ok("NOOP")

    def test_multiappend_is_atomic(self):
        before = self.messages(self.client, "INBOX")
        _, tagged = self.catenate(
            self.client, "INBOX",
            [("TEXT", "Subject: first\r\n\r\n"), ("URL", self.base)],
            [("URL", self.base + "/;SECTION=9")])
        self.assertIn("NO [BADURL %s/;SECTION=9]" % self.base, tagged)
        self.assertEqual(self.messages(self.client, "INBOX"), before)
        # The same command without the bad part stores both.
        _, tagged = self.catenate(
            self.client, "INBOX",
            [("TEXT", "Subject: first\r\n\r\n"), ("URL", self.base)],
            [("URL", self.base + "/;SECTION=1")])
        self.assertEqual(tagged.split()[1], "OK", tagged)
        self.assertEqual(self.messages(self.client, "INBOX"), before + 2)
        # A plain literal beside a CATENATE message.
        tag = self.client.next_tag()
        self.client.send(b"%s APPEND INBOX " % tag.encode() +
                         literal("Subject: plain\r\n\r\nx") +
                         b' CATENATE (URL "' + self.base.encode() + b'")\r\n')
        tagged = self.client.collect(tag)[1]
        self.assertRegex(tagged, r"APPENDUID \d+ \d+:\d+")

    def test_syntax_errors_are_bad(self):
        for args in ("CATENATE ()", "CATENATE (TEXT \"quoted\")",
                     "CATENATE (FOO x)", "CATENATE (URL)"):
            _, tagged = self.client.command("APPEND INBOX " + args)
            self.assertEqual(tagged.split()[1], "BAD", args)
        self.client.ok("NOOP")


class CatenateLimitsTest(CatenateTestBase):
    SERVER_ARGS = {
        "allow_plaintext_auth": True,
        "extra_flags": ("--max_literal_bytes=100000",
                        "--plugin_options=imap.max_catenate_parts=3"),
    }

    def test_toobig_before_anything_is_stored(self):
        client, _ = self.session()
        tagged = client.append("INBOX", b"Subject: big\r\n\r\n" +
                               b"x" * 60000)
        uv = self.uidvalidity(client, "INBOX")
        url = "/INBOX;UIDVALIDITY=%d/;UID=1" % uv
        _, tagged = self.catenate(client, "INBOX", [("URL", url),
                                                    ("URL", url)])
        self.assertIn("NO [TOOBIG]", tagged)
        self.assertEqual(self.messages(client, "INBOX"), 1)
        # Within the limit it works.
        _, tagged = self.catenate(client, "INBOX", [
            ("URL", url), ("URL", url + "/;PARTIAL=0.1000")])
        self.assertEqual(tagged.split()[1], "OK", tagged)

    def test_part_limit(self):
        client, _ = self.session()
        client.append("INBOX", b"Subject: s\r\n\r\nx")
        parts = [("TEXT", "a")] * 4
        _, tagged = self.catenate(client, "INBOX", parts)
        self.assertIn("BAD [LIMIT]", tagged)
        _, tagged = self.catenate(client, "INBOX", parts[:3])
        self.assertEqual(tagged.split()[1], "OK", tagged)
        client.ok("NOOP")


if __name__ == "__main__":
    unittest.main()
