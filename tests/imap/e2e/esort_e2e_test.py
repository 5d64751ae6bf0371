"""IMAP end to end: ESORT (RFC 5267 section 3), SORT RETURN (...) answered
with an ESEARCH response in sort order."""

import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import untagged


def mail(subject, size):
    return ("From: a@example.com\r\nSubject: %s\r\n\r\n%s\r\n" %
            (subject, "x" * size)).encode()


class EsortTest(e2e_base.ImapTestCase):

    def setUp(self):
        super().setUp()
        self.client, _ = self.session()
        # Sizes chosen so that size order is 3, 1, 4, 5, 2 (by sequence).
        for subject, size in (("a", 200), ("b", 900), ("c", 10), ("d", 300),
                              ("e", 400)):
            self.client.append("INBOX", mail(subject, size))
        self.client.ok("SELECT INBOX")

    def esearch(self, command):
        lines = self.client.ok(command)
        self.assertEqual(untagged(lines, "SORT"), [], command)
        found = untagged(lines, "ESEARCH")
        self.assertEqual(len(found), 1, lines)
        return found[0]

    def test_capability(self):
        lines = self.client.ok("CAPABILITY")
        self.assertIn(" ESORT", untagged(lines, "CAPABILITY")[0])

    def test_all_in_sort_order(self):
        tag = self.client.next_tag()
        self.client.send("%s SORT RETURN () (SIZE) UTF-8 ALL\r\n" % tag)
        lines, tagged = self.client.collect(tag)
        self.assertIn("OK", tagged)
        self.assertEqual(untagged(lines, "ESEARCH"),
                         ['* ESEARCH (TAG "%s") ALL 3,1,4:5,2' % tag])

    def test_min_max_count_and_uid(self):
        line = self.esearch("SORT RETURN (MIN MAX COUNT) (REVERSE SIZE) "
                            "UTF-8 ALL")
        self.assertTrue(line.endswith(" MIN 2 MAX 3 COUNT 5"), line)
        uids = self.client.ok("UID SEARCH ALL")
        uid = {i + 1: int(u) for i, u in
               enumerate(untagged(uids, "SEARCH")[0].split()[2:])}
        line = self.esearch("UID SORT RETURN (MIN ALL) (SIZE) UTF-8 NOT 2")
        self.assertIn(" UID MIN %d ALL " % uid[3], line)
        self.assertTrue(line.endswith(
            "ALL %d,%d,%d" % (uid[3], uid[1], uid[4]) +
            (":%d" % uid[5] if uid[5] == uid[4] + 1 else ",%d" % uid[5])),
            line)

    def test_no_match_and_plain_sort_unchanged(self):
        line = self.esearch("SORT RETURN (MIN MAX ALL COUNT) (SIZE) UTF-8 "
                            "SUBJECT nothing-matches")
        self.assertTrue(line.endswith(") COUNT 0"), line)
        lines = self.client.ok("SORT (SIZE) UTF-8 ALL")
        self.assertEqual(untagged(lines, "SORT"), ["* SORT 3 1 4 5 2"])
        _, tagged = self.client.command("SORT RETURN (SAVE) (SIZE) UTF-8 ALL")
        self.assertIn("BAD", tagged)
        self.client.ok("NOOP")


if __name__ == "__main__":
    unittest.main()
