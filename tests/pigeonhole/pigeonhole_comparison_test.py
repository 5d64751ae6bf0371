"""The same Sieve scripts and the same mail, delivered over LMTP to Mailroom
and to Dovecot with Pigeonhole: every message must end in the same folders
with the same flags on both.

The mail is a crafted set that exercises each test and action the helpdesk
script uses, plus real messages from the corpus (MAILROOM_CORPUS_DIR) when
it is there. Each message carries an X-Compare-Id header so the two
servers' mailboxes can be matched message by message.
"""

import email.utils
import imaplib
import os
import smtplib
import tempfile
import unittest

from tests.harness.mailroomd import Mailroomd
from tests.pigeonhole import pigeonhole_peer

USER = "agent"
PASSWORD = "agent-pass-1"

# Runs first for everyone (the global "before" script).
BEFORE = r"""require ["imap4flags", "fileinto", "mailbox"];
if header :contains "x-spam-flag" "yes" {
  fileinto :create "Junk";
  stop;
}
if exists "x-mailer" { addflag "$HasMailer"; }
"""

# The user's active script: a helpdesk routing script.
HELPDESK = r"""require ["fileinto", "mailbox", "imap4flags", "variables",
         "envelope", "subaddress", "relational", "comparator-i;ascii-numeric",
         "body", "copy", "encoded-character"];

# Replies to a ticket keep its number as a keyword.
if header :matches "subject" "*[Ticket #*]*" {
  set :lower "ticket" "${2}";
  addflag "$Ticket";
}
if envelope :detail "to" "billing" {
  fileinto :create :flags ["$Queue", "\\Flagged"] "Queues/Billing";
  stop;
}
if envelope :detail "to" "sales" {
  fileinto :create "Queues/Sales";
  stop;
}
if address :domain :is "from" ["example.com", "staff.example.com"] {
  addflag "$Internal";
}
if header :contains "subject" ["urgent", "asap", "${hex:21 21}"] {
  addflag "\\Flagged";
}
if header :value "le" :comparator "i;ascii-numeric" "x-priority" "2" {
  addflag "$HighPriority";
}
if header :count "ge" :comparator "i;ascii-numeric" "received" "6" {
  addflag "$ManyHops";
}
if size :over 40K {
  fileinto :create :flags "$Large" "Queues/Large";
  stop;
}
if body :text :contains ["refund", "chargeback"] {
  fileinto :copy :create "Queues/Refunds";
}
if anyof (exists "list-id", header :contains "precedence" ["list", "bulk"]) {
  fileinto :create "Lists";
  stop;
}
if not string :is "${ticket}" "" {
  fileinto :create "Tickets";
  stop;
}
if address :localpart :matches "from" "*noreply*" {
  discard;
  stop;
}
if header :is "subject" "" {
  setflag "$NoSubject";
}
"""

# Each crafted message: (envelope recipients' detail, headers, body).
CRAFTED = [
    ("", {"From": "alice@example.com", "Subject": "Printer on fire urgent"},
     "Please help.\r\n"),
    ("billing", {"From": "bob@customer.org", "Subject": "Invoice 42"},
     "Where is my invoice?\r\n"),
    ("sales", {"From": "carol@customer.org", "Subject": "Quote"},
     "Price?\r\n"),
    ("", {"From": "dave@customer.org", "Subject": "Re: [Ticket #A17] login"},
     "Still broken.\r\n"),
    ("", {"From": "erin@customer.org", "Subject": "Money back",
          "X-Priority": "1"},
     "I want a refund for order 7.\r\n"),
    ("", {"From": "news@lists.example.net", "Subject": "Weekly digest",
          "List-Id": "<weekly.lists.example.net>"}, "News.\r\n"),
    ("", {"From": "promo@shop.example", "Subject": "Sale",
          "Precedence": "bulk"}, "Buy.\r\n"),
    ("", {"From": "noreply@service.example", "Subject": "Your code"},
     "123456\r\n"),
    ("", {"From": "spam@spam.example", "Subject": "Win",
          "X-Spam-Flag": "YES"}, "Click.\r\n"),
    ("", {"From": "frank@staff.example.com", "Subject": "",
          "X-Mailer": "Mailer 1.0"}, "No subject here.\r\n"),
    ("", {"From": "gina@customer.org", "Subject": "Big attachment"},
     ("x" * 76 + "\r\n") * 700),
    ("", {"From": "hank@customer.org", "Subject": "Hello!!",
          "X-Priority": "3"}, "Excited.\r\n"),
    ("", {"From": "ivy@customer.org",
          "Subject": "=?utf-8?q?R=C3=BCckerstattung_refund?="},
     "Chargeback incoming.\r\n"),
    ("billing", {"From": "alice@example.com",
                 "Subject": "Re: [Ticket #B2] invoice"}, "Paid.\r\n"),
]


def crafted_message(i, headers, body):
    lines = ["X-Compare-Id: c%d" % i,
             "Message-ID: <crafted-%d@test.example>" % i,
             "Date: " + email.utils.formatdate(1700000000 + i * 60),
             "To: agent@localhost"]
    hops = 7 if i % 3 == 0 else 1
    lines += ["Received: from hop%d.example by mx.example; %s" %
              (h, email.utils.formatdate(1700000000)) for h in range(hops)]
    lines += ["%s: %s" % (k, v) for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def corpus_messages(limit):
    top = os.environ.get("MAILROOM_CORPUS_DIR", "")
    if not top or not os.path.isdir(top):
        return []
    paths = []
    for root, _, files in os.walk(top):
        paths += [os.path.join(root, f) for f in files]
    paths.sort()
    out = []
    for n, path in enumerate(paths[::max(1, len(paths) // limit)][:limit]):
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"From "):  # mbox separator line
            data = data.split(b"\n", 1)[1]
        out.append(b"X-Compare-Id: m%d\r\n" % n + data)
    return out


def deliver(port, detail, data):
    rcpt = "%s+%s@localhost" % (USER, detail) if detail else \
        "%s@localhost" % USER
    with smtplib.LMTP("127.0.0.1", port) as lmtp:
        refused = lmtp.sendmail("sender@customer.org", [rcpt], data)
    return refused


def mailboxes(port):
    """{mailbox: {compare id: sorted flags without \\Recent}} of every
    non-empty selectable mailbox."""
    imap = imaplib.IMAP4("127.0.0.1", port)
    imap.login(USER, PASSWORD)
    out = {}
    _, listing = imap.list('""', "*")
    for line in listing:
        text = line.decode()
        if "\\Noselect" in text or "\\NonExistent" in text:
            continue
        name = text.rsplit(' "/" ', 1)[1].strip('"')
        typ, data = imap.select('"%s"' % name, readonly=True)
        if typ != "OK" or int(data[0]) == 0:
            continue
        _, rows = imap.fetch(
            "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (X-COMPARE-ID)])")
        box = {}
        for row in rows:
            if not isinstance(row, tuple):
                continue
            meta, header = row
            cid = header.decode().split(":", 1)[1].strip()
            flags = meta.decode().split("FLAGS (", 1)[1].split(")", 1)[0]
            box[cid] = sorted(f for f in flags.split() if f != "\\Recent")
        out[name] = box
    imap.logout()
    return out


@unittest.skipUnless(pigeonhole_peer.available(),
                     "Dovecot with Pigeonhole (dovecot-lmtpd, dovecot-sieve) "
                     "is not installed")
class PigeonholeComparisonTest(unittest.TestCase):
    def test_same_folders_and_flags(self):
        mail = [(detail, crafted_message(i, headers, body))
                for i, (detail, headers, body) in enumerate(CRAFTED)]
        mail += [("", data) for data in corpus_messages(300)]

        peer = pigeonhole_peer.PigeonholePeer({USER: PASSWORD},
                                              before=BEFORE)
        peer.set_script(USER, HELPDESK)
        with peer:
            for detail, data in mail:
                self.assertEqual(deliver(peer.lmtp_port, detail, data), {})
            expected = mailboxes(peer.imap_port)

        with tempfile.TemporaryDirectory() as tmp:
            with Mailroomd(tmp) as server:
                server.add_user(USER, PASSWORD)
                for name, source in (("before", BEFORE),
                                     ("helpdesk", HELPDESK)):
                    path = os.path.join(tmp, name + ".sieve")
                    with open(path, "w") as f:
                        f.write(source)
                server.ctl("sieve", "put", "--global", "before",
                           os.path.join(tmp, "before.sieve"))
                server.ctl("sieve", "put", USER, "helpdesk",
                           os.path.join(tmp, "helpdesk.sieve"))
                server.ctl("sieve", "activate", USER, "helpdesk")
                for detail, data in mail:
                    self.assertEqual(deliver(server.lmtp_port, detail, data),
                                     {})
                actual = mailboxes(server.imap_port)

        # The crafted set reaches every branch of the script.
        for box in ("Junk", "Lists", "Tickets", "Queues/Billing",
                    "Queues/Sales", "Queues/Large", "Queues/Refunds"):
            self.assertIn(box, expected, "the peer filed nothing in " + box)
        self.assertEqual(sorted(actual), sorted(expected))
        for box in sorted(expected):
            self.assertEqual(actual[box], expected[box], box)


if __name__ == "__main__":
    unittest.main()
