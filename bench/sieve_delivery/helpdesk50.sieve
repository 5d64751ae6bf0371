# A helpdesk's routing script: 50 rules, using only extensions both
# Mailroom and Dovecot Pigeonhole support, for bench/sieve_delivery.
require ["fileinto", "imap4flags", "envelope", "subaddress", "variables",
         "body", "mailbox"];

set "queue" "";
# Rule 1: spam goes to Junk and nothing else runs.
if header :contains "x-spam-flag" "yes" {
  fileinto :create "Junk";
  stop;
}
# Rules 2-11: queues by subject keywords.
if header :contains "subject" ["invoice", "billing", "payment"] { set "queue" "Billing"; }
if header :contains "subject" ["password", "login", "account"] { set "queue" "Accounts"; }
if header :contains "subject" ["delivery", "shipping", "tracking"] { set "queue" "Shipping"; }
if header :contains "subject" ["return", "exchange"] { set "queue" "Returns"; }
if header :contains "subject" ["error", "crash", "bug"] { set "queue" "Technical"; }
if header :contains "subject" ["quote", "pricing", "offer"] { set "queue" "Sales"; }
if header :contains "subject" ["gdpr", "contract", "legal"] { set "queue" "Legal"; }
if header :contains "subject" ["partner", "reseller"] { set "queue" "Partners"; }
if header :contains "subject" ["press", "interview"] { set "queue" "Press"; }
if header :contains "subject" ["application", "resume"] { set "queue" "Jobs"; }
# Rules 12-21: key customers by sender domain.
if address :domain :is "from" "customer1.example" { addflag "$Customer1"; }
if address :domain :is "from" "customer2.example" { addflag "$Customer2"; }
if address :domain :is "from" "customer3.example" { addflag "$Customer3"; }
if address :domain :is "from" "customer4.example" { addflag "$Customer4"; }
if address :domain :is "from" "customer5.example" { addflag "$Customer5"; }
if address :domain :is "from" "customer6.example" { addflag "$Customer6"; }
if address :domain :is "from" "customer7.example" { addflag "$Customer7"; }
if address :domain :is "from" "customer8.example" { addflag "$Customer8"; }
if address :domain :is "from" "customer9.example" { addflag "$Customer9"; }
if address :domain :is "from" "customer10.example" { addflag "$Customer10"; }
# Rules 22-31: priority markers.
if header :contains "subject" "urgent" { addflag "\\Flagged"; }
if header :contains "subject" "asap" { addflag "\\Flagged"; }
if header :contains "subject" "outage" { addflag "$Outage"; }
if header :contains "subject" "down" { addflag "$Outage"; }
if header :contains "subject" "security" { addflag "$Security"; }
if header :contains "subject" "breach" { addflag "$Security"; }
if header :contains "subject" "vip" { addflag "$VIP"; }
if header :contains "subject" "escalate" { addflag "$Escalated"; }
if header :contains "subject" "complaint" { addflag "$Complaint"; }
if header :contains "subject" "cancel" { addflag "$Churn"; }
# Rules 32-36: the address's detail picks the queue (support+sales@...).
if envelope :detail "to" "sales" { set "queue" "Sales"; }
if envelope :detail "to" "billing" { set "queue" "Billing"; }
if envelope :detail "to" "tech" { set "queue" "Technical"; }
if envelope :detail "to" "jobs" { set "queue" "Jobs"; }
if envelope :detail "to" "press" { set "queue" "Press"; }
# Rules 37-41: words in the text of the body.
if body :text :contains "refund" { addflag "$Refund"; }
if body :text :contains "chargeback" { addflag "$Refund"; }
if body :text :contains "lawyer" { addflag "$Legal"; }
if body :text :contains "unsubscribe" { addflag "$Unsubscribe"; }
if body :text :contains "broken" { addflag "$Defect"; }
# Rules 42-46: ticket numbers and replies.
if header :matches "subject" "*[#*]*" { set "ticket" "${2}"; addflag "$Ticket"; }
if header :matches "subject" ["re:*", "aw:*"] { addflag "$Reply"; }
if exists "in-reply-to" { addflag "$Thread"; }
if header :contains "auto-submitted" "auto" { addflag "$Automatic"; }
if header :contains "precedence" ["bulk", "list"] { set "queue" "Bulk"; }
# Rules 47-50: filing.
if address :localpart :is "from" ["mailer-daemon", "postmaster"] { set "queue" "Bounces"; }
if header :contains "list-id" "" { set "queue" "Lists"; }
if string :is "${queue}" "" { keep; }
else { fileinto :create "Queue-${queue}"; }
