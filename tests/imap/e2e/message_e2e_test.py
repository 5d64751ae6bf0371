"""IMAP end to end: APPEND (flags, dates, MULTIAPPEND, APPENDUID), FETCH
items, STORE, COPY/MOVE (COPYUID), EXPUNGE, SEARCH (keys, ESEARCH,
SEARCHRES, CHARSET), BINARY, with raw commands and imaplib."""

import imaplib
import re
import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.e2e_base import PASSWORD
from tests.imap.e2e.imap_client import message, untagged

MULTIPART = (
    "From: Carol <carol@example.com>\r\nTo: alice@example.com\r\n"
    "Subject: Report\r\nDate: Tue, 1 Mar 2022 10:00:00 +0000\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
    "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Quarterly numbers attached.\r\n"
    "--XX\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\nAAECAwQF\r\n"
    "--XX--\r\n")


class MessageTest(e2e_base.ImapTestCase):

    def test_append_flags_date_appenduid(self):
        c, _ = self.session()
        tagged = c.append("INBOX", message("one"), flags="\\Flagged $Work")
        m = re.match(r"t\d+ OK \[APPENDUID (\d+) 1\]", tagged)
        self.assertTrue(m, tagged)
        c.ok('APPEND INBOX "07-Feb-1994 21:52:25 -0800" {%d+}\r\n%s' %
             (len(message("two")), message("two")))
        c.ok("SELECT INBOX")
        lines = c.ok("FETCH 1:2 (FLAGS INTERNALDATE)")
        self.assertIn('* 1 FETCH (FLAGS (\\Flagged \\Recent $Work) INTERNALDATE',
                      untagged(lines, "1 FETCH")[0])
        self.assertIn('INTERNALDATE "07-Feb-1994 21:52:25 -0800"',
                      untagged(lines, "2 FETCH")[0])
        self.assertIn("NO [TRYCREATE]", c.append("Nowhere", message("x")))

    def test_savedate_is_when_the_message_was_saved(self):
        # RFC 8514: SAVEDATE is the save time, not the (older) internal date.
        c, _ = self.session()
        caps = c.ok("CAPABILITY")[0]
        self.assertIn(" SAVEDATE", caps)
        c.ok('APPEND INBOX "07-Feb-1994 21:52:25 -0800" {%d+}\r\n%s' %
             (len(message("old")), message("old")))
        c.ok("SELECT INBOX")
        line = untagged(c.ok("FETCH 1 (INTERNALDATE SAVEDATE)"), "1 FETCH")[0]
        self.assertIn('INTERNALDATE "07-Feb-1994 21:52:25 -0800"', line)
        saved = re.search(r'SAVEDATE "(\d+)-(\w+)-(\d{4}) ', line)
        self.assertTrue(saved, line)
        self.assertGreaterEqual(int(saved.group(3)), 2024)
        today = "%s-%s-%s" % (saved.group(1), saved.group(2), saved.group(3))

        def search(criteria):
            lines = c.ok("SEARCH " + criteria)
            return untagged(lines, "SEARCH")[0].split()[2:]

        self.assertEqual(search("SAVEDON " + today), ["1"])
        self.assertEqual(search("SAVEDSINCE " + today), ["1"])
        self.assertEqual(search("SAVEDBEFORE " + today), [])
        self.assertEqual(search("BEFORE 1-Jan-2000"), ["1"])
        self.assertEqual(search("SAVEDBEFORE 1-Jan-2000"), [])
        self.assertEqual(search("SAVEDATESUPPORTED"), ["1"])
        # A copy is saved anew into its mailbox.
        c.ok("COPY 1 Archive")
        c.ok("SELECT Archive")
        self.assertEqual(search("SAVEDSINCE " + today), ["1"])

    def test_multiappend(self):
        c, _ = self.session()
        a, b = message("a"), message("b")
        lines, tagged = c.command("APPEND INBOX {%d+}\r\n%s (\\Seen) {%d+}\r\n%s"
                                  % (len(a), a, len(b), b))
        self.assertRegex(tagged, r"OK \[APPENDUID \d+ 1:2\]")

    def test_fetch_items_and_implicit_seen(self):
        c, _ = self.session()
        c.append("INBOX", MULTIPART)
        c.ok("SELECT INBOX")
        lines = c.ok("FETCH 1 (UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)")
        line = lines[0]
        self.assertIn("RFC822.SIZE %d" % len(MULTIPART), line)
        self.assertIn('"Report"', line)
        self.assertIn('(("Carol" NIL "carol" "example.com"))', line)
        self.assertIn('"mixed"', line.lower())
        lines = c.ok("FETCH 1 (BODY.PEEK[1] BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn("Quarterly numbers attached.", lines[0])
        self.assertIn("Subject: Report", lines[0])
        lines = c.ok("FETCH 1 FLAGS")
        self.assertEqual(lines[0], "* 1 FETCH (FLAGS (\\Recent))")
        lines = c.ok("FETCH 1 BODY[]<0.4>")
        self.assertIn("BODY[]<0> {4}\r\nFrom", lines[0])
        self.assertIn("\\Seen", lines[0])
        lines = c.ok("FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])")
        self.assertIn("BINARY.SIZE[2] 6", lines[0])
        self.assertIn("BINARY[2] ~{6}", lines[0])
        lines = c.ok("FETCH 1 (RFC822.HEADER BODY[9])")
        self.assertIn("RFC822.HEADER {", lines[0])
        self.assertIn("BODY[9] NIL", lines[0])
        self.assertIn("BAD", c.command("FETCH 5 FLAGS")[1])

    def test_partial_sections_are_the_right_bytes(self):
        # Served by byte-range reads from the structure's offsets; each
        # answer must equal the slice of the message a client computes.
        c, _ = self.session()
        c.append("INBOX", MULTIPART)
        c.ok("SELECT INBOX")
        body1 = "Quarterly numbers attached."
        text = MULTIPART[MULTIPART.index("\r\n\r\n") + 4:]
        mime2 = ("Content-Type: application/octet-stream; name=\"a.bin\"\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n")
        cases = [
            ("BODY.PEEK[1]<10.8>", "BODY[1]<10>", body1[10:18]),
            ("BODY.PEEK[2]<0.4>", "BODY[2]<0>", "AAEC"),
            ("BODY.PEEK[2.MIME]", "BODY[2.MIME]", mime2),
            ("BODY.PEEK[TEXT]<5.20>", "BODY[TEXT]<5>", text[5:25]),
            ("BODY.PEEK[1]<500.10>", "BODY[1]<500>", ""),
        ]
        for item, name, want in cases:
            lines = c.ok("FETCH 1 (%s)" % item)
            self.assertIn("%s {%d}\r\n%s)" % (name, len(want), want),
                          lines[0], item)
        lines = c.ok("FETCH 1 (BODY.PEEK[3]<0.5> FLAGS)")
        self.assertIn("BODY[3]<0> NIL", lines[0])
        self.assertIn("FLAGS (\\Recent)", lines[0])

    def test_imaplib_fetch_store_search(self):
        user = self.new_user()
        m = imaplib.IMAP4(self.server.host, self.server.imap_port)
        m.login(user, PASSWORD)
        for i in range(5):
            m.append("INBOX", None, None,
                     message("msg %d" % i, "needle %d\r\n" % i).encode())
        m.select("INBOX")
        typ, data = m.store("2:3", "+FLAGS", "(\\Deleted)")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.search(None, "DELETED")[1], [b"2 3"])
        self.assertEqual(m.uid("SEARCH", "UNDELETED")[1], [b"1 4 5"])
        self.assertEqual(m.search(None, "SUBJECT", '"msg 4"')[1], [b"5"])
        self.assertEqual(m.search(None, "BODY", "needle")[1], [b"1 2 3 4 5"])
        self.assertEqual(m.search(None, "OR", "1", "5")[1], [b"1 5"])
        self.assertEqual(m.search(None, "NOT", "DELETED", "FROM", "bob")[1],
                         [b"1 4 5"])
        typ, data = m.expunge()
        self.assertEqual(data, [b"3", b"2"])
        typ, data = m.fetch("1:*", "(UID)")
        self.assertEqual(data, [b"1 (UID 1)", b"2 (UID 4)", b"3 (UID 5)"])
        m.logout()

    def test_store_variants(self):
        c, _ = self.session()
        c.append("INBOX", message("s"))
        c.ok("SELECT INBOX")
        lines = c.ok("STORE 1 FLAGS (\\Seen $A)")
        # A new keyword is announced (FLAGS) before the FETCH shows it.
        self.assertIn("$A", untagged(lines, "FLAGS (")[0])
        self.assertEqual(untagged(lines, "1 FETCH")[0],
                         "* 1 FETCH (FLAGS (\\Seen \\Recent $A))")
        lines = c.ok("STORE 1 -FLAGS (\\Seen)")
        self.assertEqual(lines[0], "* 1 FETCH (FLAGS (\\Recent $A))")
        lines = c.ok("UID STORE 1 +FLAGS.SILENT (\\Answered)")
        self.assertEqual(untagged(lines, "1 FETCH"), [])
        lines = c.ok("FETCH 1 (FLAGS)")
        self.assertEqual(lines[0], "* 1 FETCH (FLAGS (\\Answered \\Recent $A))")
        self.assertIn("BAD", c.command("STORE 1 +FLAGS (\\Bogus)")[1])

    def test_search_keys(self):
        c, _ = self.session()
        c.append("INBOX", message("Alpha", "first\r\n", sender="x@a.org"),
                 flags="\\Answered")
        c.append("INBOX", MULTIPART, flags="\\Seen $Work")
        c.append("INBOX", message("Gamma", "third " + "y" * 3000 + "\r\n"))
        c.ok("SELECT INBOX")

        def search(criteria):
            lines = c.ok("SEARCH " + criteria)
            return untagged(lines, "SEARCH")[0][len("* SEARCH"):].split()

        self.assertEqual(search("ALL"), ["1", "2", "3"])
        self.assertEqual(search("ANSWERED"), ["1"])
        self.assertEqual(search("UNANSWERED UNSEEN"), ["3"])
        self.assertEqual(search("KEYWORD $Work"), ["2"])
        self.assertEqual(search("UNKEYWORD $Work"), ["1", "3"])
        self.assertEqual(search("FROM carol"), ["2"])
        self.assertEqual(search("TO alice"), ["1", "2", "3"])
        self.assertEqual(search("CC nobody"), [])
        self.assertEqual(search("BCC nobody"), [])
        self.assertEqual(search('HEADER Content-Type "multipart"'), ["2"])
        self.assertEqual(search("TEXT quarterly"), ["2"])
        self.assertEqual(search("LARGER 2500"), ["3"])
        self.assertEqual(search("SMALLER 2500"), ["1", "2"])
        self.assertEqual(search("SENTBEFORE 1-Jan-2000"), ["1", "3"])
        self.assertEqual(search("SENTON 1-Mar-2022"), ["2"])
        self.assertEqual(search("SENTSINCE 1-Jan-2000"), ["2"])
        self.assertEqual(search("SINCE 1-Jan-2000"), ["1", "2", "3"])
        self.assertEqual(search("BEFORE 1-Jan-2000"), [])
        self.assertEqual(search("ON 1-Jan-2000"), [])
        self.assertEqual(search("YOUNGER 3600"), ["1", "2", "3"])
        self.assertEqual(search("OLDER 3600"), [])
        # All three arrived before this session selected INBOX (RFC 3501
        # section 6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT).
        self.assertEqual(search("NEW"), ["1", "3"])
        self.assertEqual(search("OLD"), [])
        self.assertEqual(search("RECENT"), ["1", "2", "3"])
        self.assertEqual(search("UID 2:*"), ["2", "3"])
        self.assertEqual(search("2:3 (SEEN FLAGGED)"), [])
        self.assertEqual(search("OR DRAFT UNDRAFT"), ["1", "2", "3"])
        self.assertEqual(search("DELETED"), [])
        self.assertEqual(search("UNDELETED FLAGGED"), [])
        self.assertEqual(search("UNFLAGGED"), ["1", "2", "3"])
        self.assertEqual(search("MODSEQ 1")[:3], ["1", "2", "3"])
        self.assertEqual(search("CHARSET UTF-8 SUBJECT gamma"), ["3"])
        self.assertIn("NO [BADCHARSET",
                      c.command("SEARCH CHARSET ISO-2022-JP ALL")[1])
        self.assertIn("BAD", c.command("SEARCH FROB")[1])

    def test_esearch_and_searchres(self):
        c, _ = self.session()
        for i in range(5):
            c.append("INBOX", message("e%d" % i), flags="\\Seen" if i % 2 else "")
        c.ok("SELECT INBOX")
        lines = c.ok("SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN")
        self.assertEqual(untagged(lines, "ESEARCH")[0],
                         '* ESEARCH (TAG "%s") MIN 1 MAX 5 ALL 1,3,5 COUNT 3'
                         % lines[-1].split()[0])
        lines = c.ok("UID SEARCH RETURN () SEEN")
        self.assertTrue(untagged(lines, "ESEARCH")[0].endswith("UID ALL 2,4"))
        lines = c.ok("SEARCH RETURN (SAVE) SEEN")
        self.assertEqual(untagged(lines, "ESEARCH"), [])
        lines = c.ok("FETCH $ (UID)")
        self.assertEqual(untagged(lines, ""), ["* 2 FETCH (UID 2)",
                                               "* 4 FETCH (UID 4)"])
        lines = c.ok("SEARCH $ UID 4")
        self.assertEqual(untagged(lines, "SEARCH"), ["* SEARCH 4"])

    def test_copy_move_expunge(self):
        c, _ = self.session()
        for i in range(4):
            c.append("INBOX", message("c%d" % i))
        c.ok("SELECT INBOX")
        _, tagged = c.command("COPY 1:2 Archive")
        self.assertRegex(tagged, r"OK \[COPYUID \d+ 1:2 1:2\]")
        self.assertIn("NO [TRYCREATE]", c.command("COPY 1 Nowhere")[1])
        lines = c.ok("UID MOVE 3 Trash")
        self.assertRegex(lines[0], r"^\* OK \[COPYUID \d+ 3 1\]")
        self.assertIn("* 3 EXPUNGE", lines)
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        c.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        lines = c.ok("UID EXPUNGE 2")
        self.assertEqual(untagged(lines, "2 EXPUNGE"), ["* 2 EXPUNGE"])
        lines = c.ok("EXPUNGE")
        self.assertEqual(untagged(lines, "1 EXPUNGE"), ["* 1 EXPUNGE"])
        lines = c.ok("STATUS Archive (MESSAGES)")
        self.assertEqual(untagged(lines, "STATUS"),
                         ["* STATUS Archive (MESSAGES 2)"])
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        c.ok("CLOSE")
        lines = c.ok("STATUS INBOX (MESSAGES)")
        self.assertEqual(untagged(lines, "STATUS"),
                         ["* STATUS INBOX (MESSAGES 0)"])

    def test_examine_is_read_only(self):
        c, _ = self.session()
        c.append("INBOX", message("r"))
        _, tagged = c.command("EXAMINE INBOX")
        self.assertIn("[READ-ONLY]", tagged)
        c.ok("FETCH 1 BODY[]")
        self.assertIn("NO", c.command("STORE 1 +FLAGS (\\Seen)")[1])
        self.assertIn("NO", c.command("EXPUNGE")[1])
        lines = c.ok("FETCH 1 FLAGS")
        # Read-only: \Recent is shown, not taken, and \Seen stays unset.
        self.assertEqual(lines[0], "* 1 FETCH (FLAGS (\\Recent))")
        c.ok("UNSELECT")
        self.assertIn("BAD", c.command("FETCH 1 FLAGS")[1])


if __name__ == "__main__":
    unittest.main()
