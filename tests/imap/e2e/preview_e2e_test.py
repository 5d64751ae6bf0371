"""IMAP end to end: FETCH PREVIEW and PREVIEW (LAZY) (RFC 8970) on plain,
HTML-only, multipart/alternative, encoded, attachment-only and empty
messages, and bad modifiers."""

import base64
import re
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import untagged

HEAD = "From: bob@example.com\r\nTo: alice@example.com\r\nSubject: s\r\n"


def previews(lines):
    """The PREVIEW of each FETCH line, literals joined back."""
    text = "\n".join(lines)
    out = []
    for m in re.finditer(r'PREVIEW (?:"((?:[^"\\]|\\.)*)"|\{(\d+)\}\r?\n)',
                         text):
        if m.group(1) is not None:
            out.append(re.sub(r'\\(.)', r'\1', m.group(1)))
        else:
            n = int(m.group(2))
            raw = text[m.end():].encode()[:n]
            out.append(raw.decode())
    return out


class PreviewTest(e2e_base.ImapTestCase):

    def preview_of(self, raw, item="PREVIEW"):
        c, _ = self.session()
        tagged = c.append("INBOX", raw)
        self.assertIn(" OK ", tagged)
        c.ok("SELECT INBOX")
        lines = c.ok("FETCH 1 (%s)" % item)
        got = previews(lines)
        self.assertEqual(len(got), 1, lines)
        return got[0]

    def test_capability(self):
        c, _ = self.session()
        self.assertIn("PREVIEW",
                      untagged(c.ok("CAPABILITY"), "CAPABILITY")[0].split())

    def test_plain_collapsed(self):
        self.assertEqual(
            self.preview_of(HEAD + "\r\n  Hi Alice,\r\n\r\n  see you\tat 5.\r\n"),
            "Hi Alice, see you at 5.")

    def test_lazy_gives_the_same(self):
        self.assertEqual(self.preview_of(HEAD + "\r\nshort note\r\n",
                                         "PREVIEW (LAZY)"), "short note")

    def test_html_only(self):
        raw = (HEAD + "Content-Type: text/html; charset=utf-8\r\n\r\n"
               "<html><head><style>body{x:y}</style></head><body>"
               "<p>Dear <b>Alice</b>,</p><p>the &quot;plan&quot;</p>"
               "</body></html>\r\n")
        self.assertEqual(self.preview_of(raw), 'Dear Alice, the "plan"')

    def test_alternative_prefers_plain(self):
        raw = (HEAD + "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
               "--b\r\nContent-Type: text/html\r\n\r\n<p>rich</p>\r\n"
               "--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n"
               "--b--\r\n")
        self.assertEqual(self.preview_of(raw), "plain words")

    def test_encoded_and_charset(self):
        body = base64.b64encode("Grüße aus Köln".encode("utf-8")).decode()
        raw = (HEAD + "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n" + body + "\r\n")
        self.assertEqual(self.preview_of(raw), "Grüße aus Köln")
        raw = (HEAD + "Content-Type: text/plain; charset=iso-8859-1\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
               "caf=E9 cr=\r\n=E8me\r\n")
        self.assertEqual(self.preview_of(raw), "café crème")

    def test_long_text_cut_at_256_characters(self):
        raw = (HEAD + "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
               "ä" * 1000 + "\r\n")
        self.assertEqual(self.preview_of(raw), "ä" * 256)

    def test_empty_and_attachment_only(self):
        self.assertEqual(self.preview_of(HEAD + "\r\n"), "")
        raw = (HEAD + "Content-Type: application/pdf\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n")
        self.assertEqual(self.preview_of(raw), "")

    def test_bad_charset_and_broken_mime(self):
        raw = (HEAD + "Content-Type: text/plain; charset=x-unknown\r\n\r\n"
               "still readable\r\n")
        self.assertEqual(self.preview_of(raw), "still readable")
        raw = (HEAD + "Content-Type: multipart/mixed; boundary=zz\r\n\r\n"
               "--zz\r\nContent-Type: text/plain\r\n\r\nno closing")
        self.assertEqual(self.preview_of(raw), "no closing")

    def test_with_other_items_and_bad_modifier(self):
        c, _ = self.session()
        c.append("INBOX", HEAD + "\r\nbody\r\n")
        c.ok("SELECT INBOX")
        lines = c.ok("UID FETCH 1 (PREVIEW UID FLAGS)")
        self.assertIn('PREVIEW "body"', untagged(lines, "1 FETCH")[0])
        _, tagged = c.command("FETCH 1 (PREVIEW (FAST))")
        self.assertRegex(tagged, r"^\S+ BAD")
        c.ok("NOOP")


if __name__ == "__main__":
    unittest.main()
