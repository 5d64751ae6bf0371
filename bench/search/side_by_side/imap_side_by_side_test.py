"""Tests of the side-by-side driver's parts that decide its figures: the
query serializer, the UID-set compressor, the brute-force evaluator and the
deterministic choice of query terms. No server is needed."""

import datetime
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imap_side_by_side as sbs  # noqa: E402


def write_message(maildir, n, text):
    os.makedirs(os.path.join(maildir, "cur"), exist_ok=True)
    with open(Truth(maildir).path(n), "wb") as f:
        f.write(text.encode("latin-1"))


Truth = sbs.Truth

MESSAGE_1 = (
    "Message-ID: <1.1@gen.example>\n"
    "From: =?UTF-8?B?w4lsb8OvIE3DvGxsZXI=?= <eloi@mail.example.org>\n"
    "Subject: =?ISO-8859-1?Q?Caf=E9_au_lait?=\n"
    "X-Ticket: T-4242 Closed\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/alternative; boundary=\"b\"\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Grande f=E0brica de queso\n"
    "verde. Broken\n"
    "phrase here.\n"
    "--b\n"
    "Content-Type: text/html; charset=us-ascii\n"
    "\n"
    "<html><body><p><b>Bold</b> &amp; brave\nlines</p></body></html>\n"
    "--b--\n")

MESSAGE_2 = (
    "Message-ID: <2.1@gen.example>\n"
    "From: \"Ana Lopez\" <ana@helpdesk.example.net>\n"
    "Subject: Nothing here\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Plain words only.\n")


class SerializeTest(unittest.TestCase):
    def test_or_not_and_literals(self):
        query = ("and", [("flag", "flagged", True),
                         ("or", ("body", "abc"), ("not", ("body", "déf")))])
        self.assertEqual(sbs.describe(query), 'FLAGGED OR BODY "abc" NOT BODY déf')
        self.assertTrue(sbs.needs_utf8(query))
        parts = sbs.serialize(query)
        self.assertEqual(parts[-1], ("literal", "déf".encode("utf-8")))

    def test_headers_and_dates(self):
        self.assertEqual(sbs.describe(("header", "X-Ticket", "T-1")),
                         'HEADER X-Ticket "T-1"')
        self.assertEqual(sbs.describe(("header", "from", "ana")), 'FROM "ana"')
        query = ("and", [("since", datetime.date(2020, 2, 3)),
                         ("before", datetime.date(2020, 2, 10))])
        self.assertEqual(sbs.describe(query), "SINCE 3-Feb-2020 BEFORE 10-Feb-2020")
        self.assertFalse(sbs.needs_utf8(query))

    def test_quoting(self):
        self.assertEqual(sbs.quoted(b'a"b\\c'), b'"a\\"b\\\\c"')


class UidSetTest(unittest.TestCase):
    def test_ranges(self):
        self.assertEqual(sbs.uid_set([1, 2, 3, 5, 7, 8]), ["1:3", "5", "7:8"])
        self.assertEqual(sbs.uid_set([]), [])
        self.assertEqual(sbs.uid_set([9]), ["9"])


class TruthTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.maildir = self.tmp.name
        write_message(self.maildir, 1, MESSAGE_1)
        write_message(self.maildir, 2, MESSAGE_2)
        self.truth = Truth(self.maildir)

    def tearDown(self):
        self.tmp.cleanup()

    def matching(self, query):
        return [n for n in (1, 2) if self.truth.matches(query, n)]

    def test_body_is_decoded_and_folded(self):
        self.assertEqual(self.matching(("body", "FÀBRICA")), [1])
        self.assertEqual(self.matching(("body", "brica de q")), [1])
        self.assertEqual(self.matching(("body", "words only")), [2])

    def test_casemap_decomposes_accents(self):
        # i;unicode-casemap decomposes: "fà" holds the substring "fa".
        self.assertEqual(self.matching(("body", "fabric")), [])
        self.assertEqual(self.matching(("body", " fa")), [1])

    def test_phrase_across_a_line_break_does_not_match(self):
        self.assertEqual(self.matching(("body", "broken phrase")), [])
        self.assertEqual(self.matching(("body", "broken")), [1])

    def test_html_is_text(self):
        self.assertEqual(self.matching(("body", "bold & brave")), [1])
        # In HTML a line break is white space like any other.
        self.assertEqual(self.matching(("body", "brave lines")), [1])
        self.assertEqual(self.matching(("body", "<b>")), [])

    def test_headers(self):
        self.assertEqual(self.matching(("header", "subject", "café")), [1])
        self.assertEqual(self.matching(("header", "from", "müll")), [1])
        self.assertEqual(self.matching(("header", "from", "lopez")), [2])
        self.assertEqual(self.matching(("header", "X-Ticket", "closed")), [1])
        self.assertEqual(self.matching(("header", "X-Ticket", "T-4")), [1])

    def test_boolean_flags_and_dates(self):
        self.assertEqual(self.matching(("not", ("body", "plain"))), [1])
        self.assertEqual(self.matching(("or", ("body", "plain"),
                                        ("body", "verde"))), [1, 2])
        # flags_of: \Seen unless n % 3 == 0, \Flagged when n % 7 == 0.
        self.assertEqual(self.matching(("flag", "seen", True)), [1, 2])
        self.assertEqual(self.matching(("flag", "flagged", True)), [])
        day1 = sbs.internal_date(1)
        self.assertEqual(self.matching(("since", day1)), [1, 2])
        self.assertEqual(self.matching(("before", day1)), [])


class QueryChoiceTest(unittest.TestCase):
    def test_deterministic_and_complete(self):
        with tempfile.TemporaryDirectory() as maildir:
            for n in range(1, 21):
                write_message(maildir, n, MESSAGE_1 if n % 2 else MESSAGE_2)
            vocabulary = ["word%05d" % i for i in range(50000)]
            vocabulary[3] = "ab"  # too short for the common-word class

            def choose(seed):
                queries = sbs.build_queries(vocabulary, Truth(maildir), 20,
                                            seed, 10)
                return {c: [sbs.describe(q) for q in qs]
                        for c, qs in queries.items()}

            first = choose(7)
            self.assertEqual(first, choose(7))
            self.assertNotEqual(first, choose(8))
            for cls in sbs.CLASSES:
                self.assertEqual(len(first[cls]), 10, cls)
            self.assertNotIn('BODY "ab"', first["common word"])
            for query in first["date range"]:
                self.assertRegex(query, r"^SINCE \d+-\w+-\d+ BEFORE \d+-\w+-\d+$")


class PercentileTest(unittest.TestCase):
    def test_nearest_rank(self):
        samples = list(range(1, 101))
        self.assertEqual(sbs.percentile(samples, 50), 50)
        self.assertEqual(sbs.percentile(samples, 99), 99)
        self.assertEqual(sbs.percentile([5], 99), 5)


if __name__ == "__main__":
    unittest.main()
