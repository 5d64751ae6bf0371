"""The RFC 4314 rights matrix, end to end.

Each row is a user holding exactly one right on a mailbox of another user,
plus `l` where the right cannot be told apart without it (a mailbox one
cannot see answers every command as a missing one) and plus `r` where the
right is used in the selected state. Each test runs one command (family)
for every row on a fresh mailbox and checks that it succeeds exactly when
RFC 4314 section 4 says the rights allow it; otherwise the answer is
NO [NOPERM] when the user can see the mailbox (`l` or `r`), and word for
word the answer for a mailbox that does not exist when it cannot (RFC 4314
section 6). Effects are read back by the owner.

Behaviour the table does not show (drop boxes, READ-WRITE with `i`, ACL
inheritance on CREATE, RENAME's new parent, the virtual rights) has tests
of its own at the end.
"""

import collections
import itertools
import unittest

from tests.helpdesk import helpdesk_base
from tests.helpdesk.imap_wire import (message, parse_fetch, quote,
                                      response_code, status_of, text_of)

Row = collections.namedtuple("Row", "name rights why")

ROWS = [
    Row("none", "", "no right: the mailbox must look missing"),
    Row("l", "l", "lookup: LIST, MYRIGHTS; nothing else"),
    Row("r", "r", "read without lookup: selectable but never listed"),
    Row("s", "lrs", "keep \\Seen; `lr` to select"),
    Row("w", "lrw", "write other flags; `lr` to select"),
    Row("i", "li", "insert: APPEND and COPY into"),
    Row("p", "lp", "post: no IMAP command needs it"),
    Row("k", "lk", "create children"),
    Row("x", "lx", "delete and rename the mailbox"),
    Row("t", "lrt", "\\Deleted; `lr` to select"),
    Row("e", "lre", "EXPUNGE; `lr` to select"),
    Row("a", "la", "administer: the ACL commands"),
    Row("c", "lc", "obsolete `c`: the same as `k` (section 2.1.1)"),
    Row("d", "lrd", "obsolete `d`: `x`, `t` and `e` (section 2.1.1)"),
]


def effective(rights):
    """The rights a row's string grants, with `c` and `d` expanded as this
    server ties them (c = k, d = xte)."""
    out = set(rights) - {"c", "d"}
    if "c" in rights:
        out.add("k")
    if "d" in rights:
        out.update("xte")
    return out


def visible(rights):
    """Whether the user can know the mailbox exists."""
    return bool(effective(rights) & {"l", "r"})


_boxes = itertools.count()


class AclMatrixTest(helpdesk_base.HelpdeskTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = "owner"
        cls.server.add_user(cls.owner, helpdesk_base.PASSWORD)
        cls.subjects = {}
        for row in ROWS:
            user = "subj_" + row.name
            cls.server.add_user(user, helpdesk_base.PASSWORD)
            cls.subjects[row.name] = user
        cls.server.add_user("third", helpdesk_base.PASSWORD)
        cls.sessions = {}

    @classmethod
    def tearDownClass(cls):
        for conn in cls.sessions.values():
            conn.close()
        super().tearDownClass()

    def session(self, user):
        """A logged-in connection kept for the class, in authenticated
        state."""
        if user not in self.sessions:
            conn = helpdesk_base.Connection(self.server.imap_port)
            conn.login(user, helpdesk_base.PASSWORD)
            self.sessions[user] = conn
        return self.sessions[user]

    def make_box(self, row, messages=0, parent_rights=None):
        """A fresh "p<N>/box" of the owner on which the row's user holds the
        row's rights; messages 1..n, the last one \\Deleted. Returns (the
        name as the row's user sees it, the owner's name, a name that does
        not exist, seen the same way)."""
        n = next(_boxes)
        own = "p%d/box" % n
        conn = self.session(self.owner)
        conn.ok("CREATE %s" % own)
        for i in range(messages):
            flags = "\\Deleted" if i == messages - 1 else ""
            _, tagged = conn.append(own, message("m%d" % i), flags)
            self.assertEqual(status_of(tagged), "OK", tagged)
        user = self.subjects[row.name]
        if row.rights:
            conn.ok("SETACL %s %s %s" % (own, user, row.rights))
        if parent_rights:
            conn.ok("SETACL p%d %s %s" % (n, user, parent_rights))
        return ("Other Users/%s/%s" % (self.owner, own), own,
                "Other Users/%s/q%d/box" % (self.owner, n))

    def owner_flags(self, own):
        """{uid: flags} of the owner's mailbox."""
        conn = self.session(self.owner)
        out = {}
        for line in conn.ok("EXAMINE %s" % own) + conn.ok(
                "UID FETCH 1:* (FLAGS)"):
            parsed = parse_fetch(line)
            if parsed and "UID" in parsed[1]:
                out[parsed[1]["UID"]] = parsed[1]["FLAGS"]
        conn.ok("UNSELECT")
        return out

    def expect(self, row, allowed, tagged, name, command_for_missing=None,
               missing=None, what=""):
        """Checks one answer: OK when allowed; otherwise NO [NOPERM] if the
        user can see the mailbox, or the answer for a missing mailbox. In a
        mailbox selected READ-ONLY (no flag right, `i` or `e`), NO
        [READ-ONLY] is as precise as NO [NOPERM]."""
        label = "row %s (%s) %s: %s" % (row.name, row.rights, what, tagged)
        if allowed:
            self.assertEqual(status_of(tagged), "OK", label)
            return
        self.assertEqual(status_of(tagged), "NO", label)
        if visible(row.rights):
            codes = {"NOPERM"}
            if name is None and not effective(row.rights) & set("iewst"):
                codes.add("READ-ONLY")
            self.assertIn(response_code(tagged), codes, label)
        elif command_for_missing is not None:
            _, other = command_for_missing()
            self.assertEqual(text_of(tagged).replace(name, missing),
                             text_of(other), label)

    # ---- authenticated state ---------------------------------------------
    def test_list_shows_mailbox_only_with_l(self):
        for row in ROWS:
            name, _, _ = self.make_box(row)
            conn = self.session(self.subjects[row.name])
            listed = conn.ok('LIST "" "Other Users/*"')
            shown = [l for l in listed if l.endswith('"%s"' % name) or
                     l.endswith(" " + name)]
            self.assertEqual(bool(shown), "l" in effective(row.rights),
                             (row, listed))

    def test_subscribe_and_lsub(self):
        # SUBSCRIBE checks no existence here, so it needs no right (section
        # 4); LSUB then lists the name, and must not tell a hidden mailbox
        # from a missing one.
        for row in ROWS:
            name, _, missing = self.make_box(row)
            conn = self.session(self.subjects[row.name])
            conn.ok("SUBSCRIBE %s" % quote(name))
            conn.ok("SUBSCRIBE %s" % quote(missing))
            lines = conn.ok('LSUB "" "Other Users/*"')
            mine = [l for l in lines if name in l]
            gone = [l for l in lines if missing in l]
            self.assertEqual(len(mine), 1, (row, lines))
            if "l" in effective(row.rights):
                self.assertNotIn("\\NonExistent", mine[0])
                self.assertNotIn("\\Noselect", mine[0])
            else:
                self.assertEqual(mine[0].replace(name, missing), gone[0], row)
            conn.ok("UNSUBSCRIBE %s" % quote(name))
            conn.ok("UNSUBSCRIBE %s" % quote(missing))

    def test_myrights(self):
        for row in ROWS:
            name, _, missing = self.make_box(row)
            conn = self.session(self.subjects[row.name])
            rights = effective(row.rights)
            lines, tagged = conn.command("MYRIGHTS %s" % quote(name))
            allowed = bool(rights & set("lrikxa"))
            self.expect(row, allowed, tagged, name,
                        lambda: conn.command("MYRIGHTS %s" % quote(missing)),
                        missing, "MYRIGHTS")
            if allowed:
                [line] = [l for l in lines if l.startswith("* MYRIGHTS")]
                got = line.rsplit(" ", 1)[1].strip('"')
                # Clients ignore the virtual c and d (section 2.1.1).
                self.assertEqual(set(got) - {"c", "d"}, rights, row)

    def test_acl_commands_need_a(self):
        # LISTRIGHTS has its own test below.
        for row in ROWS:
            name, _, missing = self.make_box(row)
            conn = self.session(self.subjects[row.name])
            allowed = "a" in effective(row.rights)
            q, qm = quote(name), quote(missing)
            for command, for_missing in [
                    ("GETACL %s" % q, "GETACL %s" % qm),
                    ("SETACL %s third lr" % q, "SETACL %s third lr" % qm),
                    ("DELETEACL %s third" % q, "DELETEACL %s third" % qm)]:
                _, tagged = conn.command(command)
                self.expect(row, allowed, tagged, name,
                            lambda c=for_missing: conn.command(c), missing,
                            command.split()[0])

    def test_status_select_examine_need_r(self):
        for row in ROWS:
            name, _, missing = self.make_box(row, messages=2)
            conn = self.session(self.subjects[row.name])
            rights = effective(row.rights)
            allowed = "r" in rights
            for verb in ["STATUS %s (MESSAGES)", "EXAMINE %s", "SELECT %s"]:
                _, tagged = conn.command(verb % quote(name))
                self.expect(row, allowed, tagged, name,
                            lambda v=verb: conn.command(v % quote(missing)),
                            missing, verb.split()[0])
            if allowed:
                # The tagged OK of SELECT above: READ-ONLY exactly when none
                # of i, e and the flag rights s, w, t is held (section 5.2).
                writable = bool(rights & set("iewst"))
                self.assertIn("[READ-WRITE]" if writable else "[READ-ONLY]",
                              tagged, row)
                conn.ok("UNSELECT")

    def test_append_and_copy_into_need_i(self):
        for row in ROWS:
            name, own, missing = self.make_box(row)
            conn = self.session(self.subjects[row.name])
            allowed = "i" in effective(row.rights)
            _, tagged = conn.append(name, message("appended"))
            self.expect(row, allowed, tagged, name,
                        lambda: conn.append(missing, message("appended")),
                        missing, "APPEND")
            conn.append("INBOX", message("to copy"))
            conn.ok("SELECT INBOX")
            _, tagged = conn.command("COPY 1 %s" % quote(name))
            self.expect(row, allowed, tagged, name,
                        lambda: conn.command("COPY 1 %s" % quote(missing)),
                        missing, "COPY")
            conn.ok("UNSELECT")
            self.assertEqual(len(self.owner_flags(own)),
                             2 if allowed else 0, row)

    def test_create_child_needs_k(self):
        for row in ROWS:
            name, own, missing = self.make_box(row)
            conn = self.session(self.subjects[row.name])
            allowed = "k" in effective(row.rights)
            _, tagged = conn.command("CREATE %s" % quote(name + "/child"))
            self.expect(row, allowed, tagged, name,
                        lambda: conn.command(
                            "CREATE %s" % quote(missing + "/child")),
                        missing, "CREATE")
            owner = self.session(self.owner)
            listed = owner.ok('LIST "" "%s/*"' % own)
            self.assertEqual(bool(listed), allowed, (row, listed))

    def test_rename_and_delete_need_x(self):
        for row in ROWS:
            # `k` on the parent: the new name's parent (section 4, RENAME).
            name, own, missing = self.make_box(row, parent_rights="lk")
            conn = self.session(self.subjects[row.name])
            allowed = "x" in effective(row.rights)
            renamed = name + "2"
            _, tagged = conn.command("RENAME %s %s" %
                                     (quote(name), quote(renamed)))
            self.expect(row, allowed, tagged, name,
                        lambda: conn.command("RENAME %s %s" % (
                            quote(missing), quote(missing + "2"))),
                        missing, "RENAME")
            current = renamed if allowed else name
            _, tagged = conn.command("DELETE %s" % quote(current))
            self.expect(row, allowed, tagged, current,
                        lambda: conn.command("DELETE %s" % quote(missing)),
                        missing, "DELETE")
            owner = self.session(self.owner)
            _, tagged = owner.command("STATUS %s (MESSAGES)" % own)
            self.assertEqual(status_of(tagged), "NO" if allowed else "OK",
                             (row, tagged))

    # ---- selected state ----------------------------------------------------
    def selected_rows(self):
        return [r for r in ROWS if "r" in effective(r.rights)]

    def run_selected(self, row, messages=5):
        name, own, _ = self.make_box(row, messages=messages)
        conn = self.session(self.subjects[row.name])
        conn.ok("SELECT %s" % quote(name))
        return conn, own

    def test_fetch_sets_seen_only_with_s(self):
        for row in self.selected_rows():
            conn, own = self.run_selected(row, messages=2)
            conn.ok("FETCH 1 (FLAGS)")
            conn.ok("FETCH 1 BODY[]")
            conn.ok("UNSELECT")
            self.assertEqual("\\Seen" in self.owner_flags(own)[1],
                             "s" in effective(row.rights), row)

    def test_store_changes_only_flags_the_rights_cover(self):
        # The MUST of section 4: \Seen needs s, \Deleted t, others w.
        for row in self.selected_rows():
            conn, own = self.run_selected(row)
            rights = effective(row.rights)
            for seq, flag in [(1, "\\Seen"), (2, "\\Deleted"),
                              (3, "\\Flagged"), (4, "$Assigned")]:
                conn.command("STORE %d +FLAGS (%s)" % (seq, flag))
            conn.ok("UNSELECT")
            flags = self.owner_flags(own)
            for uid, flag, right in [(1, "\\Seen", "s"), (2, "\\Deleted", "t"),
                                     (3, "\\Flagged", "w"),
                                     (4, "$Assigned", "w")]:
                self.assertEqual(flag in flags[uid], right in rights,
                                 (row, flag, flags))

    def test_store_without_the_right_answers_noperm(self):
        # With some flag right but not the one a STORE needs (e.g. `lrw`
        # storing \Seen) the answer is NO [NOPERM], so the client learns its
        # change was refused. (RFC 4314 section 4 only asks not to fail a
        # STORE when the user may change at least one of the flags named.)
        for row in self.selected_rows():
            conn, _ = self.run_selected(row)
            rights = effective(row.rights)
            for seq, flag, right in [(1, "\\Seen", "s"), (2, "\\Deleted", "t"),
                                     (3, "$Assigned", "w")]:
                _, tagged = conn.command("STORE %d +FLAGS (%s)" % (seq, flag))
                self.expect(row, right in rights, tagged, None,
                            what="STORE " + flag)
            conn.ok("UNSELECT")

    def test_expunge_needs_e(self):
        for row in self.selected_rows():
            conn, own = self.run_selected(row, messages=3)
            _, tagged = conn.command("EXPUNGE")
            allowed = "e" in effective(row.rights)
            self.expect(row, allowed, tagged, None, what="EXPUNGE")
            # CLOSE without `e` closes without expunging, with OK.
            conn.ok("SELECT %s" % quote(
                "Other Users/%s/%s" % (self.owner, own)))
            conn.ok("CLOSE")
            self.assertEqual(sorted(self.owner_flags(own)),
                             [1, 2] if allowed else [1, 2, 3], row)

    # ---- what the table does not show -----------------------------------
    def test_insert_without_lookup_is_a_drop_box(self):
        # RFC 4314 section 4 needs only `i` for APPEND and COPY into: a
        # drop box (`i` without `l`) takes mail.
        row = Row("i-only", "i", "insert without lookup")
        self.subjects[row.name] = self.subjects["i"]
        name, own, _ = self.make_box(row)
        conn = self.session(self.subjects["i"])
        _, tagged = conn.append(name, message("dropped"))
        self.assertEqual(status_of(tagged), "OK", tagged)

    def test_insert_right_selects_read_write(self):
        # RFC 4314 section 5.2: READ-WRITE SHOULD be sent when `i` is held
        # (as for `e` and the flag rights).
        row = Row("i-select", "lri", "insert and read")
        self.subjects[row.name] = self.subjects["i"]
        name, _, _ = self.make_box(row)
        conn = self.session(self.subjects["i"])
        _, tagged = conn.command("SELECT %s" % quote(name))
        conn.ok("UNSELECT")
        self.assertIn("[READ-WRITE]", tagged)

    def test_created_child_inherits_the_parent_acl(self):
        # RFC 4314 section 4 (CREATE): a child created in another user's
        # mailbox SHOULD inherit the parent's ACL, so the user who created
        # it (holding `lk` on the parent) sees it.
        row = ROWS[[r.name for r in ROWS].index("k")]
        name, _, _ = self.make_box(row)
        conn = self.session(self.subjects["k"])
        conn.ok("CREATE %s" % quote(name + "/child"))
        lines, tagged = conn.command("MYRIGHTS %s" % quote(name + "/child"))
        self.assertEqual(status_of(tagged), "OK", tagged)
        # `lk` from the parent, with the virtual `c` that `k` implies.
        self.assertIn('* MYRIGHTS %s lkc' % quote(name + "/child"), lines)

    def test_rename_needs_k_on_the_new_parent(self):
        # RENAME needs `x` on the mailbox and `k` on the new parent (RFC
        # 4314 section 4).
        row = ROWS[[r.name for r in ROWS].index("x")]
        name, own, _ = self.make_box(row, parent_rights="l")
        conn = self.session(self.subjects["x"])
        _, tagged = conn.command("RENAME %s %s" % (quote(name),
                                                   quote(name + "2")))
        self.assertEqual(status_of(tagged), "NO", tagged)
        self.assertEqual(response_code(tagged), "NOPERM")

    def test_listrights_needs_a(self):
        # RFC 4314 section 4 (and Appendix A item 8): LISTRIGHTS needs `a`.
        for row in ROWS:
            name, _, missing = self.make_box(row)
            conn = self.session(self.subjects[row.name])
            _, tagged = conn.command("LISTRIGHTS %s third" % quote(name))
            self.expect(row, "a" in effective(row.rights), tagged, name,
                        lambda: conn.command(
                            "LISTRIGHTS %s third" % quote(missing)),
                        missing, "LISTRIGHTS")

    def test_obsolete_rights_are_reported_as_virtual(self):
        # RFC 4314 section 2.1.1: MYRIGHTS and ACL responses MUST include
        # "c" when `k` is held and "d" when any of `x`, `t`, `e` is, and
        # LISTRIGHTS MUST include both.
        row = ROWS[[r.name for r in ROWS].index("d")]
        name, own, _ = self.make_box(row)
        conn = self.session(self.subjects["d"])
        lines = conn.ok("MYRIGHTS %s" % quote(name))
        [line] = [l for l in lines if l.startswith("* MYRIGHTS")]
        self.assertIn("d", line.rsplit(" ", 1)[1])
        owner = self.session(self.owner)
        lines = owner.ok("MYRIGHTS %s" % own)
        [line] = [l for l in lines if l.startswith("* MYRIGHTS")]
        self.assertTrue({"c", "d"} <= set(line.rsplit(" ", 1)[1]), line)
        lines = owner.ok("LISTRIGHTS %s third" % own)
        [line] = [l for l in lines if l.startswith("* LISTRIGHTS")]
        self.assertIn(" c", line)
        self.assertIn(" d", line)


if __name__ == "__main__":
    unittest.main()
