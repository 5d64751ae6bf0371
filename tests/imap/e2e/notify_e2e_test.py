"""IMAP NOTIFY (RFC 5465) end to end: one session changes mail, another is
told without asking (between commands, not in IDLE), for each mailbox
filter and event; the STATUS option; NOTIFY NONE; BAD and [BADEVENT]
answers; and rights: a mailbox the watcher may not see is never named."""

import unittest

from tests.imap.e2e import e2e_base
from tests.imap.e2e.imap_client import message, untagged

MSG_EVENTS = "(MessageNew MessageExpunge)"


class NotifyTest(e2e_base.ImapTestCase):

    def read_until(self, client, needle):
        """Unsolicited lines up to and including the first containing
        `needle`."""
        lines = []
        while True:
            line = client.read_response_line()
            lines.append(line)
            if needle in line:
                return lines

    def append_ok(self, client, mailbox, msg):
        """APPEND that must succeed: a failed one would only show up later
        as a notification that never comes."""
        line = client.append(mailbox, msg)
        self.assertRegex(line, r"^\S+ OK", "APPEND to %s" % mailbox)

    def next_status(self, client):
        """The mailbox name of the next unsolicited STATUS response."""
        line = self.read_until(client, "* STATUS ")[-1]
        return line[len("* STATUS "):line.index(" (")].strip('"'), line

    def watcher(self, spec, user=None, select=None):
        """A second session of `user` (a fresh one if None) that ran NOTIFY
        SET `spec`; returns (watcher, changer, user, lines of NOTIFY)."""
        changer, user = self.session(user)
        watcher, _ = self.session(user)
        if select:
            watcher.ok("SELECT %s" % select)
        lines = watcher.ok("NOTIFY SET " + spec)
        return watcher, changer, user, lines

    # ---- capability and syntax ----------------------------------------------
    def test_capability(self):
        c, _ = self.session()
        caps = untagged(c.ok("CAPABILITY"), "CAPABILITY")[0].split()
        self.assertIn("NOTIFY", caps)

    def test_bad_syntax_is_bad(self):
        c, _ = self.session()
        for spec in ["NOTIFY", "NOTIFY SET", "NOTIFY FOO",
                     "NOTIFY SET (personal (MessageNew))",
                     "NOTIFY SET (personal (MessageExpunge))",
                     "NOTIFY SET (personal (FlagChange))",
                     "NOTIFY SET (personal (MessageNew FlagChange))",
                     "NOTIFY SET (selected (MailboxName))",
                     "NOTIFY SET (selected %s) (selected-delayed %s)" %
                     (MSG_EVENTS, MSG_EVENTS),
                     "NOTIFY SET (everything %s)" % MSG_EVENTS,
                     "NOTIFY SET (personal (MessageNew (UID) MessageExpunge))",
                     "NOTIFY SET (subtree %s)" % MSG_EVENTS,
                     "NOTIFY SET (personal ())",
                     "NOTIFY NONE extra"]:
            _, tagged = c.command(spec)
            self.assertIn(" BAD ", tagged, spec)

    def test_unsupported_events_are_badevent(self):
        c, _ = self.session()
        for events in ["(MessageNew MessageExpunge AnnotationChange)",
                       "(SomeFutureEvent)"]:
            _, tagged = c.command("NOTIFY SET (personal %s)" % events)
            self.assertIn(" NO [BADEVENT (", tagged, events)
            self.assertIn("MessageNew", tagged)
            self.assertIn("SubscriptionChange", tagged)

    # ---- the selected mailbox ------------------------------------------------
    def test_selected_events_arrive_between_commands(self):
        w, c, _, _ = self.watcher(
            "(selected (MessageNew (UID FLAGS) MessageExpunge FlagChange))",
            select="INBOX")
        self.append_ok(c, "INBOX", message("one"))
        lines = self.read_until(w, "FETCH")
        self.assertIn("* 1 EXISTS", lines)
        # The watcher had INBOX selected when the message arrived: \Recent.
        self.assertEqual(lines[-1], "* 1 FETCH (UID 1 FLAGS (\\Recent))")
        c.ok("SELECT INBOX")
        c.ok("STORE 1 +FLAGS (\\Flagged)")
        self.assertEqual(self.read_until(w, "FETCH")[-1],
                         "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))")
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        self.read_until(w, "FETCH")
        c.ok("EXPUNGE")
        self.assertEqual(self.read_until(w, "EXPUNGE")[-1], "* 1 EXPUNGE")
        w.ok("NOOP")
        # No FETCH for a message the watcher added itself.
        own = message("own").encode()
        w.send("ap APPEND INBOX {%d}\r\n" % len(own))
        self.assertTrue(w.read_response_line().startswith("+"))
        w.send(own + b"\r\n")
        lines, tagged = w.collect("ap")
        self.assertIn(" OK ", tagged)
        lines += w.ok("NOOP")
        self.assertIn("* 1 EXISTS", lines)
        self.assertEqual(untagged(lines, "1 FETCH"), [])

    def test_selected_delayed_holds_expunges_until_a_command(self):
        c0, user = self.session()
        c0.append("INBOX", message("a"))
        c0.append("INBOX", message("b"))
        w, c, _, _ = self.watcher("(selected-delayed %s)" % MSG_EVENTS,
                                  user=user, select="INBOX")
        c.ok("SELECT INBOX")
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        c.ok("EXPUNGE")
        self.append_ok(c, "INBOX", message("c"))
        lines = self.read_until(w, "EXISTS")
        self.assertEqual(untagged(lines, "1 EXPUNGE"), [])
        lines = w.ok("NOOP")
        self.assertIn("* 1 EXPUNGE", lines)

    def test_without_selected_filter_no_async_selected_events(self):
        w, c, _, _ = self.watcher("(personal (MailboxName))", select="INBOX")
        self.append_ok(c, "INBOX", message("quiet"))
        c.ok("CREATE Sentinel")
        lines = self.read_until(w, "Sentinel")
        self.assertEqual(untagged(lines, "1 EXISTS"), [])
        # The usual command-time update is still there.
        self.assertIn("* 1 EXISTS", w.ok("NOOP"))

    def test_idle_sends_notify_events(self):
        w, c, _, _ = self.watcher("(personal %s)" % MSG_EVENTS)
        w.send("i1 IDLE\r\n")
        self.assertTrue(w.read_response_line().startswith("+"))
        self.append_ok(c, "Drafts", message("draft"))
        name, _ = self.next_status(w)
        self.assertEqual(name, "Drafts")
        w.send("DONE\r\n")
        self.assertTrue(w.collect("i1")[1].startswith("i1 OK"))

    # ---- other mailboxes: filters --------------------------------------------
    def test_personal_status_without_selected_mailbox(self):
        w, c, _, _ = self.watcher("(personal %s)" % MSG_EVENTS)
        c.ok("CREATE Work")
        self.append_ok(c, "Work", message("w"))
        name, line = self.next_status(w)
        self.assertEqual(name, "Work")
        self.assertRegex(line, r"^\* STATUS Work \(MESSAGES 1 UIDNEXT 2 "
                               r"UIDVALIDITY \d+ UNSEEN 1\)$")
        c.ok("SELECT Work")
        c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        c.ok("EXPUNGE")
        name, line = self.next_status(w)
        self.assertIn("MESSAGES 0 UIDNEXT 2", line)

    def test_personal_status_with_another_mailbox_selected(self):
        w, c, _, _ = self.watcher("(selected %s) (personal %s)" %
                                  (MSG_EVENTS, MSG_EVENTS), select="INBOX")
        self.append_ok(c, "Sent", message("s"))
        name, _ = self.next_status(w)
        self.assertEqual(name, "Sent")
        # The selected mailbox gets EXISTS, not STATUS.
        self.append_ok(c, "INBOX", message("i"))
        lines = self.read_until(w, "EXISTS")
        self.assertEqual(untagged(lines, "STATUS INBOX"), [])

    def test_inboxes_filter(self):
        w, c, _, _ = self.watcher("(inboxes %s)" % MSG_EVENTS)
        self.append_ok(c, "INBOX", message("x"))
        self.assertEqual(self.next_status(w)[0], "INBOX")

    def test_subtree_and_mailboxes_filters(self):
        c0, user = self.session()
        for name in ["Lists", "Lists/A", "Listsother", "Misc", "Other"]:
            c0.ok("CREATE %s" % name)
        w, c, _, _ = self.watcher(
            "(subtree Lists %s) (mailboxes (Misc \"No Such\") %s)" %
            (MSG_EVENTS, MSG_EVENTS), user=user)
        self.append_ok(c, "Other", message("o"))
        self.append_ok(c, "Listsother", message("lo"))
        self.append_ok(c, "Lists/A", message("a"))
        self.assertEqual(self.next_status(w)[0], "Lists/A")
        self.append_ok(c, "Lists", message("l"))
        self.assertEqual(self.next_status(w)[0], "Lists")
        self.append_ok(c, "Other", message("o2"))
        self.append_ok(c, "Misc", message("m"))
        self.assertEqual(self.next_status(w)[0], "Misc")

    def test_subscribed_filter_follows_subscriptions(self):
        c0, user = self.session()
        c0.ok("CREATE Sub")
        c0.ok("CREATE Unsub")
        c0.ok("SUBSCRIBE Sub")
        w, c, _, _ = self.watcher("(subscribed %s)" % MSG_EVENTS, user=user)
        self.append_ok(c, "Unsub", message("u"))
        self.append_ok(c, "Sub", message("s"))
        self.assertEqual(self.next_status(w)[0], "Sub")
        c.ok("SUBSCRIBE Unsub")
        w.ok("NOOP")  # the list is read again on the subscription event
        self.append_ok(c, "Unsub", message("u2"))
        self.assertEqual(self.next_status(w)[0], "Unsub")

    def test_flag_change_only_when_asked(self):
        c0, user = self.session()
        c0.append("Drafts", message("d"))
        c0.append("Sent", message("s"))
        w, c, _, _ = self.watcher(
            "(mailboxes Drafts %s) (mailboxes Sent (MessageNew MessageExpunge "
            "FlagChange))" % MSG_EVENTS, user=user)
        c.ok("SELECT Drafts")
        c.ok("STORE 1 +FLAGS (\\Seen)")
        c.ok("SELECT Sent")
        c.ok("STORE 1 +FLAGS (\\Seen)")
        name, line = self.next_status(w)
        self.assertEqual(name, "Sent")
        self.assertIn("UNSEEN 0", line)

    def test_highestmodseq_with_condstore(self):
        w, c, _, _ = self.watcher("(personal %s)" % MSG_EVENTS)
        w.ok("ENABLE CONDSTORE")
        self.append_ok(c, "Junk", message("j"))
        _, line = self.next_status(w)
        self.assertRegex(line, r"HIGHESTMODSEQ \d+\)$")

    def test_status_option(self):
        c0, user = self.session()
        c0.ok("CREATE Work")
        c0.append("Work", message("w"))
        w, _ = self.session(user)
        lines = w.ok("NOTIFY SET STATUS (mailboxes (INBOX Work) %s)"
                     % MSG_EVENTS)
        statuses = sorted(untagged(lines, "STATUS"))
        self.assertEqual(len(statuses), 2)
        self.assertRegex(statuses[0], r"^\* STATUS INBOX \(MESSAGES 0 UIDNEXT 1 ")
        self.assertRegex(statuses[1], r"^\* STATUS Work \(MESSAGES 1 UIDNEXT 2 ")
        # Without STATUS: none.
        self.assertEqual(untagged(w.ok("NOTIFY SET (mailboxes Work %s)"
                                       % MSG_EVENTS), "STATUS"), [])

    def test_notify_none_stops_events(self):
        w, c, _, _ = self.watcher("(personal %s)" % MSG_EVENTS)
        w.ok("NOTIFY NONE")
        self.append_ok(c, "INBOX", message("x"))
        self.assertEqual(untagged(w.ok("NOOP"), "STATUS"), [])
        w.ok("NOTIFY SET (personal %s)" % MSG_EVENTS)
        self.append_ok(c, "INBOX", message("y"))
        self.assertEqual(self.next_status(w)[0], "INBOX")

    # ---- mailbox events -------------------------------------------------------
    def test_mailbox_name_events(self):
        w, c, _, _ = self.watcher("(personal (MailboxName))")
        c.ok("CREATE New")
        self.assertEqual(self.read_until(w, "LIST")[-1],
                         '* LIST (\\HasNoChildren) "/" New')
        c.ok("RENAME New Newer")
        self.assertEqual(self.read_until(w, "LIST")[-1],
                         '* LIST (\\HasNoChildren) "/" Newer ("OLDNAME" (New))')
        c.ok("DELETE Newer")
        self.assertEqual(self.read_until(w, "LIST")[-1],
                         '* LIST (\\NonExistent) "/" Newer')
        # A new child also changes its parent (\HasChildren).
        c.ok("CREATE Parent")
        self.assertIn("Parent", self.read_until(w, "LIST")[-1])
        c.ok("CREATE Parent/Child")
        first = self.read_until(w, "LIST")[-1]
        second = self.read_until(w, "LIST")[-1]
        self.assertEqual(sorted([first, second]),
                         ['* LIST (\\HasChildren) "/" Parent',
                          '* LIST (\\HasNoChildren) "/" Parent/Child'])

    def test_own_changes_are_not_echoed(self):
        w, c, _, _ = self.watcher("(personal (MailboxName SubscriptionChange))")
        lines = w.ok("CREATE Mine")
        lines += w.ok("SUBSCRIBE Mine")
        self.assertEqual(untagged(lines, "LIST"), [])
        c.ok("CREATE Theirs")
        self.assertIn("Theirs", self.read_until(w, "LIST")[-1])

    def test_subscription_change_events(self):
        c0, user = self.session()
        c0.ok("CREATE Work")
        w, c, _, _ = self.watcher("(personal (SubscriptionChange))", user=user)
        c.ok("SUBSCRIBE Work")
        self.assertEqual(self.read_until(w, "LIST")[-1],
                         '* LIST (\\HasNoChildren \\Subscribed) "/" Work')
        c.ok("UNSUBSCRIBE Work")
        self.assertEqual(self.read_until(w, "LIST")[-1],
                         '* LIST (\\HasNoChildren) "/" Work')

    # ---- rights ----------------------------------------------------------------
    def test_shared_then_unshared_mailbox(self):
        owner, owner_name = self.session()
        watcher_name = self.new_user()
        owner.ok("SETACL INBOX %s lr" % watcher_name)
        shared = "Other Users/%s/INBOX" % owner_name
        w, c, _, _ = self.watcher(
            '(subtree "Other Users" %s) (personal %s)' %
            (MSG_EVENTS, MSG_EVENTS), user=watcher_name)
        owner.append("INBOX", message("shared"))
        self.assertEqual(self.next_status(w)[0], shared)
        owner.ok("DELETEACL INBOX %s" % watcher_name)
        owner.append("INBOX", message("private"))
        self.append_ok(c, "INBOX", message("sentinel"))
        name, _ = self.next_status(w)
        self.assertEqual(name, "INBOX")
        self.assertEqual([l for l in w.ok("NOOP") if owner_name in l], [])
        # Shared again: watched again.
        owner.ok("SETACL INBOX %s lr" % watcher_name)
        w.ok("NOOP")
        owner.append("INBOX", message("again"))
        self.assertEqual(self.next_status(w)[0], shared)

    def test_never_names_a_mailbox_without_rights(self):
        owner, owner_name = self.session()
        owner.ok("CREATE Secret")
        owner.ok("CREATE Listed")
        stranger = self.new_user()
        owner.ok("SETACL Listed %s l" % stranger)
        w, c, _, lines = self.watcher(
            'STATUS (mailboxes ("Other Users/%s/INBOX" "Other Users/%s/Secret" '
            '"Other Users/%s/Listed") %s) (personal %s)' %
            (owner_name, owner_name, owner_name, MSG_EVENTS, MSG_EVENTS),
            user=stranger)
        # 'l' without 'r': \NoAccess, and no STATUS.
        self.assertIn('* LIST (\\NoAccess) "/" "Other Users/%s/Listed"'
                      % owner_name, lines)
        named = [l for l in lines if "Secret" in l or "/INBOX" in l]
        self.assertEqual(named, [])
        owner.append("INBOX", message("1"))
        owner.append("Secret", message("2"))
        owner.append("Listed", message("3"))
        self.append_ok(c, "INBOX", message("sentinel"))
        received = self.read_until(w, "* STATUS INBOX")
        received += w.ok("NOOP")
        self.assertEqual([l for l in received if owner_name in l], [])


if __name__ == "__main__":
    unittest.main()
