// Running scripts: the examples of RFC 5228 and of each extension's RFC,
// the action-compatibility rules, and the run-time limits.
#include "sieve/interpreter.h"

#include <string>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "sieve/testing/fake_message.h"
#include "sieve/text.h"

namespace mailroom::sieve {
namespace {

using testing::FakeEnvironment;
using testing::FakeMessage;

// RFC 5228 §1.2, first example message.
constexpr char kCoyote[] =
    "Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)\r\n"
    "From: coyote@desert.example.org\r\n"
    "To: roadrunner@acme.example.com\r\n"
    "Subject: I have a present for you\r\n"
    "\r\n"
    "Look, I'm sorry about the whole anvil thing, and I really\r\n"
    "didn't mean to try and drop it on you from the top of the\r\n"
    "cliff.  I want to try to make it up to you.\r\n";

// RFC 5228 §1.2, second example message.
constexpr char kMillionaire[] =
    "From: youcouldberich!@reply-by-postal-mail.invalid\r\n"
    "Sender: b1ff@de.res.example.com\r\n"
    "To: rube@landmark.example.com\r\n"
    "Date: Mon, 31 Mar 1997 18:26:10 -0800\r\n"
    "Subject: $$$ YOU, TOO, CAN BE A MILLIONAIRE! $$$\r\n"
    "\r\n"
    "YOU MAY HAVE ALREADY WON TEN MILLION DOLLARS, BUT I DOUBT\r\n"
    "IT!  SO JUST BLOW OFF THIS MESSAGE AND MAKE MONEY FAST\r\n";

std::string Flags(const std::vector<std::string>& flags) {
  return flags.empty() ? "" : Cat("[", absl::StrJoin(flags, " "), "]");
}

// A compact, ordered description of a run's outcome.
std::string Describe(const RunResult& r) {
  if (!r.status.ok()) return Cat("error: ", r.status.message());
  std::vector<std::string> parts;
  for (const Action& a : r.actions) {
    switch (a.kind) {
      case Action::Kind::kKeep: parts.push_back(Cat("keep", Flags(a.flags))); break;
      case Action::Kind::kFileInto:
        parts.push_back(Cat("fileinto:", a.mailbox, Flags(a.flags), a.copy ? " copy" : "",
                            a.create ? " create" : ""));
        break;
      case Action::Kind::kRedirect:
        parts.push_back(Cat("redirect:", a.address, a.copy ? " copy" : ""));
        break;
      case Action::Kind::kDiscard: parts.push_back("discard"); break;
      case Action::Kind::kReject: parts.push_back(Cat("reject:", a.reason)); break;
      case Action::Kind::kEreject: parts.push_back(Cat("ereject:", a.reason)); break;
      case Action::Kind::kVacation: parts.push_back(Cat("vacation:", a.vacation.reason)); break;
    }
  }
  if (r.implicit_keep) parts.push_back(Cat("implicit-keep", Flags(r.implicit_keep_flags)));
  return absl::StrJoin(parts, ", ");
}

class InterpreterTest : public ::testing::Test {
 protected:
  RunResult RunOn(std::string_view script, const FakeMessage& message) {
    auto compiled = Compile(script, options_.limits);
    EXPECT_TRUE(compiled.ok()) << compiled.status();
    if (!compiled.ok()) {
      RunResult r;
      r.status = compiled.status();
      return r;
    }
    return sieve::Run(**compiled, message, env_, options_);
  }
  std::string Outcome(std::string_view script, std::string_view message = kCoyote) {
    FakeMessage m(message);
    m.envelope = envelope_;
    return Describe(RunOn(script, m));
  }

  Options options_;
  FakeEnvironment env_;
  std::map<std::string, std::string> envelope_ = {
      {"from", "coyote@desert.example.org"}, {"to", "roadrunner@acme.example.com"}};
};

// --- RFC 5228 ---------------------------------------------------------------

constexpr char kRfc5228Example[] = R"(# Example Sieve Filter
require ["fileinto"];
if header :is "Sender" "owner-ietf-mta-filters@imc.org"
        { fileinto "filter"; }
elsif address :DOMAIN :is ["From", "To"] "example.com"
        { keep; }
elsif anyof (NOT address :all :contains
               ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        { fileinto "spam"; }
else
        { fileinto "personal"; }
)";

TEST_F(InterpreterTest, Rfc5228ExampleScript) {
  EXPECT_EQ(Outcome(kRfc5228Example), "fileinto:spam");
  EXPECT_EQ(Outcome(kRfc5228Example,
                    "Sender: owner-ietf-mta-filters@imc.org\r\nTo: me@example.com\r\n\r\nx"),
            "fileinto:filter");
  EXPECT_EQ(Outcome(kRfc5228Example, "From: boss@example.com\r\n\r\nx"), "keep");
  EXPECT_EQ(Outcome(kRfc5228Example,
                    "To: me@example.com.invalid\r\nSubject: Make lots of MONEY very fast\r\n\r\nx"),
            "fileinto:spam");
  EXPECT_EQ(Outcome(kRfc5228Example, "To: Me <me@example.com.au>\r\nSubject: hi\r\n\r\nx"),
            "fileinto:personal");
}

TEST_F(InterpreterTest, ImplicitKeepAndBasicActions) {
  EXPECT_EQ(Outcome(""), "implicit-keep");
  EXPECT_EQ(Outcome("discard;"), "discard");
  EXPECT_EQ(Outcome("keep; discard;"), "keep, discard");
  EXPECT_EQ(Outcome("redirect \"a@example.com\";"), "redirect:a@example.com");
  EXPECT_EQ(Outcome("if true { stop; } discard;"), "implicit-keep");
  EXPECT_EQ(Outcome("redirect \"not an address\";"),
            "error: 1:1: redirect to an invalid address \"not an address\"");
}

TEST_F(InterpreterTest, DuplicateActionsCollapse) {
  EXPECT_EQ(Outcome("require \"fileinto\"; fileinto \"a\"; fileinto \"b\"; fileinto \"a\";"),
            "fileinto:a, fileinto:b");
  EXPECT_EQ(Outcome("redirect \"x@example.com\"; redirect \"X@Example.com\"; keep; keep;"),
            "redirect:x@example.com, keep");
}

TEST_F(InterpreterTest, HeaderAddressExistsSize) {
  EXPECT_EQ(Outcome("if header :contains \"subject\" \"PRESENT\" { discard; }"), "discard");
  EXPECT_EQ(Outcome("if header :comparator \"i;octet\" :contains \"subject\" \"PRESENT\" "
                    "{ discard; }"),
            "implicit-keep");
  EXPECT_EQ(Outcome("if header :is \"x-none\" \"\" { discard; }"), "implicit-keep");
  EXPECT_EQ(Outcome("if header :contains [\"x-none\", \"to\"] \"\" { discard; }"), "discard");
  EXPECT_EQ(Outcome("if address :localpart :is \"from\" \"coyote\" { discard; }"), "discard");
  EXPECT_EQ(Outcome("if address :domain :is \"to\" \"ACME.example.com\" { discard; }"),
            "discard");
  EXPECT_EQ(Outcome("if address :is \"to\" \"roadrunner@acme.example.com\" { discard; }",
                    "To: \"Road, Runner\" <roadrunner@acme.example.com>, (c) x@y\r\n\r\n"),
            "discard");
  EXPECT_EQ(Outcome("if address :is :domain \"to\" \"y\" { discard; }",
                    "To: friends: a@b, c@y;, (c) z@q\r\n\r\n"),
            "discard");
  EXPECT_EQ(Outcome("if exists [\"From\", \"Date\"] { discard; }"), "discard");
  EXPECT_EQ(Outcome("if exists [\"From\", \"X-Nope\"] { discard; }"), "implicit-keep");
  EXPECT_EQ(Outcome("if size :over 100 { discard; }"), "discard");
  EXPECT_EQ(Outcome("if size :under 1K { discard; }"), "discard");
  EXPECT_EQ(Outcome("if size :over 1K { discard; }"), "implicit-keep");
  EXPECT_EQ(Outcome("if allof (true, false) { discard; }"), "implicit-keep");
  EXPECT_EQ(Outcome("if anyof (false, true) { discard; }"), "discard");
  EXPECT_EQ(Outcome("if header :matches \"subject\" \"I have a ?resent *\" { discard; }"),
            "discard");
  EXPECT_EQ(Outcome("if header :matches \"subject\" \"\\\\I*\" { discard; }"), "discard");
}

TEST_F(InterpreterTest, DecodedHeaders) {
  EXPECT_EQ(Outcome("if header :contains \"subject\" \"caf\xC3\xA9\" { discard; }",
                    "Subject: =?utf-8?Q?caf=C3=A9?= time\r\n\r\n"),
            "discard");
}

TEST_F(InterpreterTest, Envelope) {
  const char* script = "require \"envelope\";\n"
                       "if envelope :all :is \"from\" \"coyote@desert.example.org\" { discard; }";
  EXPECT_EQ(Outcome(script), "discard");
  envelope_["from"] = "";
  EXPECT_EQ(Outcome("require \"envelope\"; if envelope :is \"from\" \"\" { discard; }"),
            "discard");
  EXPECT_EQ(Outcome("require \"envelope\"; if envelope :domain :matches \"from\" \"*\" "
                    "{ discard; }"),
            "implicit-keep");
}

TEST_F(InterpreterTest, Comparators) {
  const char* numeric =
      "require [\"comparator-i;ascii-numeric\", \"relational\"];\n"
      "if header :is :comparator \"i;ascii-numeric\" \"x-n\" \"0042\" { discard; }";
  EXPECT_EQ(Outcome(numeric, "X-N: 42 apples\r\n\r\n"), "discard");
  EXPECT_EQ(Outcome(numeric, "X-N: 43\r\n\r\n"), "implicit-keep");
  // RFC 4790 §9.1: a value with no leading digits is positive infinity.
  EXPECT_EQ(Outcome("require [\"comparator-i;ascii-numeric\", \"relational\"];\n"
                    "if header :value \"gt\" :comparator \"i;ascii-numeric\" \"x-n\" "
                    "\"99999999999999999999999\" { discard; }",
                    "X-N: none\r\n\r\n"),
            "discard");
}

// --- RFC 5429 reject / ereject ------------------------------------------------

TEST_F(InterpreterTest, Rfc5429Reject) {
  EXPECT_EQ(Outcome("require [\"reject\"];\n"
                    "if size :over 100 {\n"
                    "  reject text:\nYour message is too big.\n.\n;\n}"),
            "reject:Your message is too big.\r\n");
  EXPECT_EQ(Outcome("require [\"ereject\"];\n"
                    "if address \"from\" \"coyote@desert.example.org\" {\n"
                    "  ereject \"I no longer accept mail from this address\"; }"),
            "ereject:I no longer accept mail from this address");
  EXPECT_EQ(Outcome("require [\"reject\", \"fileinto\"]; fileinto \"a\"; reject \"no\";"),
            "error: 1:47: reject cannot be combined with fileinto");
  EXPECT_EQ(Outcome("require \"reject\"; reject \"no\"; keep;"),
            "error: 1:32: keep cannot be combined with reject");
  EXPECT_EQ(Outcome("require [\"reject\", \"vacation\"]; vacation \"away\"; reject \"no\";"),
            "error: 1:50: reject cannot be combined with vacation");
  EXPECT_EQ(Outcome("require [\"reject\", \"ereject\"]; reject \"a\"; ereject \"b\";"),
            "error: 1:44: ereject cannot be combined with reject");
  EXPECT_EQ(Outcome("require \"reject\"; reject \"no\"; discard;"), "reject:no, discard");
}

TEST_F(InterpreterTest, FailedRunFallsBackToKeep) {
  auto compiled = Compile("require \"reject\"; redirect \"a@b.example\"; reject \"no\";", Limits());
  ASSERT_TRUE(compiled.ok());
  FakeMessage m(kCoyote);
  const RunResult r = sieve::Run(**compiled, m, env_, options_);
  EXPECT_FALSE(r.status.ok());
  ASSERT_EQ(r.actions.size(), 1u);
  EXPECT_EQ(r.actions[0].kind, Action::Kind::kKeep);
  EXPECT_FALSE(r.implicit_keep);
}

// --- RFC 3894 copy --------------------------------------------------------------

TEST_F(InterpreterTest, Rfc3894Copy) {
  EXPECT_EQ(Outcome("require [\"copy\"]; redirect :copy \"sales@example.com\";"),
            "redirect:sales@example.com copy, implicit-keep");
  EXPECT_EQ(Outcome("require [\"copy\", \"fileinto\"]; fileinto :copy \"incoming\";"),
            "fileinto:incoming copy, implicit-keep");
  EXPECT_EQ(Outcome("require [\"copy\", \"fileinto\"]; fileinto :copy \"a\"; fileinto \"a\";"),
            "fileinto:a");
}

// --- RFC 5490 mailbox -------------------------------------------------------------

TEST_F(InterpreterTest, Rfc5490Mailbox) {
  env_.mailboxes = {"INBOX", "Lists"};
  const char* script = "require [\"mailbox\", \"fileinto\"];\n"
                       "if mailboxexists \"Lists\" { fileinto :create \"Lists/new\"; }\n"
                       "if mailboxexists [\"INBOX\", \"Gone\"] { discard; }";
  EXPECT_EQ(Outcome(script), "fileinto:Lists/new create");
}

// --- RFC 5232 imap4flags ------------------------------------------------------------

TEST_F(InterpreterTest, Rfc5232Imap4flags) {
  EXPECT_EQ(Outcome("require \"imap4flags\";\n"
                    "setflag \"\\\\Seen\";\n"
                    "addflag [\"\\\\Deleted\", \"\\\\Answered\"];\n"
                    "removeflag \"\\\\Seen\";\n"),
            "implicit-keep[\\Deleted \\Answered]");
  EXPECT_EQ(Outcome("require [\"imap4flags\", \"fileinto\", \"variables\"];\n"
                    "if header :contains \"from\" \"coyote\" {\n"
                    "  setflag \"flagvar\" \"\\\\Flagged\";\n"
                    "  fileinto :flags \"${flagvar}\" \"INBOX.From Boss\";\n"
                    "}\n"),
            "fileinto:INBOX.From Boss[\\Flagged]");
  EXPECT_EQ(Outcome("require [\"imap4flags\", \"fileinto\"];\n"
                    "addflag \"$Work $work Urgent\";\n"
                    "fileinto \"Work\"; keep :flags \"\\\\Seen\";\n"
                    "if hasflag :is \"urgent\" { discard; }"),
            "fileinto:Work[$Work Urgent], keep[\\Seen], discard");
  EXPECT_EQ(Outcome("require [\"imap4flags\", \"variables\", \"relational\"];\n"
                    "addflag \"MyVar\" [\"Junk\", \"Spam\"];\n"
                    "if hasflag :count \"eq\" \"MyVar\" \"2\" { discard; }"),
            "discard");
}

// --- RFC 5229 variables ---------------------------------------------------------------

TEST_F(InterpreterTest, Rfc5229Modifiers) {
  const char* script = R"(require ["variables", "fileinto"];
set "a" "juMBlEd lETteRS";
set :length "b" "${a}";             fileinto "${b}";
set :lower "b" "${a}";              fileinto "${b}";
set :upperfirst "b" "${a}";         fileinto "${b}";
set :upperfirst :lower "b" "${a}";  fileinto "${b}";
set :quotewildcard "b" "Rock*";     fileinto "${b}";
)";
  EXPECT_EQ(Outcome(script),
            "fileinto:15, fileinto:jumbled letters, fileinto:JuMBlEd lETteRS, "
            "fileinto:Jumbled letters, fileinto:Rock\\*");
}

TEST_F(InterpreterTest, Rfc5229Expansion) {
  const char* script = R"(require ["variables", "reject"];
set "honorific"  "Mr";
set "first_name" "Wile";
set "last_name"  "Coyote";
set "vacation" text:
Dear ${HONORIFIC} ${last_name},
I'm out, please leave a message after the meep.
.
;
reject "${vacation}${unknown}${ bad }${1}$${last_name}";
)";
  EXPECT_EQ(Outcome(script),
            "reject:Dear Mr Coyote,\r\nI'm out, please leave a message after the meep.\r\n"
            "${ bad }$Coyote");
}

TEST_F(InterpreterTest, Rfc5229MatchVariables) {
  const char* script = R"(require ["fileinto", "variables"];
if header :matches "List-ID" "*<*@*" {
    fileinto "INBOX.lists.${2}"; stop;
}
if header :matches "Subject" "[*] *" {
    fileinto "INBOX.lists.${1}"; fileinto "rest:${2}"; stop;
}
)";
  EXPECT_EQ(Outcome(script, "List-ID: Sieve list <sieve.example.org@lists.example>\r\n\r\n"),
            "fileinto:INBOX.lists.sieve.example.org");
  EXPECT_EQ(Outcome(script, "Subject: [acme-users] [fwd] version 1.0 is out\r\n\r\n"),
            "fileinto:INBOX.lists.acme-users, fileinto:rest:[fwd] version 1.0 is out");
  // Only a successful :matches changes the match variables.
  EXPECT_EQ(Outcome("require [\"fileinto\", \"variables\"];\n"
                    "if header :matches \"subject\" \"I * a *\" {}\n"
                    "if header :matches \"subject\" \"nomatch*\" {}\n"
                    "fileinto \"${0}|${1}|${2}|${3}\";"),
            "fileinto:I have a present for you|have|present for you|");
}

TEST_F(InterpreterTest, Rfc5229StringTest) {
  const char* script = R"(require ["variables", "relational"];
set "state" "ab pending cd";
if string :matches " ${state} " "* pending *" { discard; }
if string :count "eq" ["a", "", "b"] "2" { redirect "two@example.com"; }
)";
  EXPECT_EQ(Outcome(script), "discard, redirect:two@example.com");
}

// --- RFC 5231 relational ---------------------------------------------------------------

TEST_F(InterpreterTest, Rfc5231Relational) {
  const char* message =
      "Received: from a\r\nReceived: from b\r\nReceived: from c\r\n"
      "To: one@example.com, two@example.com\r\nCc: three@example.com\r\n"
      "X-Spam-Score: 15\r\n\r\nbody";
  const char* head = "require [\"relational\", \"comparator-i;ascii-numeric\", \"fileinto\"];\n";
  EXPECT_EQ(Outcome(Cat(head, "if header :value \"gt\" :comparator \"i;ascii-numeric\" "
                              "[\"x-spam-score\"] [\"14\"] { discard; }"),
                    message),
            "discard");
  EXPECT_EQ(Outcome(Cat(head, "if header :count \"ge\" :comparator \"i;ascii-numeric\" "
                              "[\"received\"] [\"3\"] { discard; }"),
                    message),
            "discard");
  EXPECT_EQ(Outcome(Cat(head, "if address :count \"ge\" :comparator \"i;ascii-numeric\" "
                              "[\"to\", \"cc\"] [\"3\"] { discard; }"),
                    message),
            "discard");
  EXPECT_EQ(Outcome(Cat(head, "if address :count \"gt\" :comparator \"i;ascii-numeric\" "
                              "[\"to\", \"cc\"] [\"3\"] { discard; }"),
                    message),
            "implicit-keep");
  EXPECT_EQ(Outcome(Cat(head, "if header :value \"lt\" \"x-spam-score\" \"2\" { discard; }"),
                    message),
            "discard");  // i;ascii-casemap orders "15" before "2"
  EXPECT_EQ(Outcome(Cat(head, "if header :value \"ne\" :comparator \"i;ascii-numeric\" "
                              "\"x-spam-score\" \"15\" { discard; }"),
                    message),
            "implicit-keep");
}

// --- RFC 5233 subaddress ------------------------------------------------------------------

TEST_F(InterpreterTest, Rfc5233Subaddress) {
  envelope_["to"] = "ken+sieve@example.org";
  const char* script = R"(require ["envelope", "subaddress", "fileinto"];
if envelope :user "to" "ken" { fileinto "user"; }
if envelope :detail "to" "sieve" { fileinto "detail"; }
if address :detail "from" "" { fileinto "wrong"; }
if address :detail :matches "to" "*" { fileinto "wrong too"; }
)";
  EXPECT_EQ(Outcome(script), "fileinto:user, fileinto:detail");
  EXPECT_EQ(Outcome("require [\"subaddress\"];\n"
                    "if address :detail :is \"to\" \"\" { discard; }",
                    "To: ken+@example.org\r\n\r\n"),
            "discard");
  options_.subaddress_separators = "-";
  EXPECT_EQ(Outcome("require [\"subaddress\"];\n"
                    "if address :user :is \"to\" \"ken\" { discard; }",
                    "To: ken-lists@example.org\r\n\r\n"),
            "discard");
}

// --- RFC 5173 body --------------------------------------------------------------------

TEST_F(InterpreterTest, Rfc5173Body) {
  EXPECT_EQ(Outcome("require \"body\"; if body :text :contains \"MAKE MONEY FAST\" { discard; }",
                    kMillionaire),
            "discard");
  EXPECT_EQ(Outcome("require \"body\"; if body :raw :contains \"anvil\" { discard; }"),
            "discard");
  EXPECT_EQ(Outcome("require \"body\"; if body :contains \"Subject\" { discard; }"),
            "implicit-keep");
  FakeMessage m("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n...");
  m.SetParts({{"text/plain", "hello missile"}, {"text/html", "<b>html</b>"},
              {"application/pdf", "%PDF missile"}});
  EXPECT_EQ(Describe(RunOn("require \"body\"; if body :content \"text\" :contains \"<b>\" "
                           "{ discard; }", m)),
            "discard");
  EXPECT_EQ(Describe(RunOn("require \"body\"; if body :content \"text/plain\" :contains \"<b>\" "
                           "{ discard; }", m)),
            "implicit-keep");
  EXPECT_EQ(Describe(RunOn("require \"body\"; if body :content \"application/pdf\" "
                           ":contains \"%PDF\" { discard; }", m)),
            "discard");
  EXPECT_EQ(Describe(RunOn("require \"body\"; if body :text :contains \"%PDF\" { discard; }", m)),
            "implicit-keep");
}

// --- RFC 5260 date --------------------------------------------------------------------

TEST_F(InterpreterTest, Rfc5260Date) {
  const char* script = R"(require ["date", "relational", "fileinto"];
if allof(header :contains "from" "coyote",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }
)";
  EXPECT_EQ(Outcome(script), "fileinto:urgent");
  const char* parts = R"(require ["date", "variables", "fileinto"];
if date :zone "+0000" "date" "year" "*" {}
if date :matches :zone "+0000" "date" "iso8601" "*" { fileinto "${0}"; }
if date :matches :zone "+0100" "date" "std11" "*" { fileinto "${0}"; }
if date :matches :originalzone "date" "zone" "*" { fileinto "${0}"; }
if date :matches :zone "+0000" "date" "julian" "*" { fileinto "${0}"; }
if date :matches :zone "+0000" "date" "weekday" "*" { fileinto "${0}"; }
if date :matches "date" "time" "*" { fileinto "${0}"; }
)";
  EXPECT_EQ(Outcome(parts),
            "fileinto:1997-04-01T17:06:31+00:00, fileinto:Tue, 1 Apr 1997 18:06:31 +0100, "
            "fileinto:-0800, fileinto:50539, fileinto:2, fileinto:17:06:31");
  EXPECT_EQ(Outcome("require \"date\"; if date :is \"date\" \"year\" \"1997\" { discard; }",
                    "Date: not a date\r\n\r\n"),
            "implicit-keep");
  EXPECT_EQ(Outcome("require \"date\";\n"
                    "if date :is :zone \"+0000\" \"received\" \"date\" \"2008-04-02\" { discard; }",
                    "Received: from x by y; Wed, 2 Apr 2008 10:00:00 +0000\r\n\r\n"),
            "discard");
}

TEST_F(InterpreterTest, Rfc5260CurrentDate) {
  env_.now = absl::FromUnixSeconds(1183248000);  // 2007-07-01 00:00:00 UTC
  env_.zone = absl::FixedTimeZone(-7 * 3600);
  const char* script = R"(require ["date", "relational", "vacation"];
if allof(currentdate :value "ge" "date" "2007-06-30",
         currentdate :value "le" "date" "2007-07-07")
{ vacation :days 7 "I'm away during the first week in July."; }
if currentdate :zone "+0000" :is "weekday" "0" { discard; }
)";
  EXPECT_EQ(Outcome(script), "vacation:I'm away during the first week in July., discard");
}

// --- RFC 5230 / 6131 vacation -------------------------------------------------------------

TEST_F(InterpreterTest, Rfc5230Vacation) {
  const char* script = R"(require "vacation";
if header :contains "subject" "cyrus" {
    vacation "I'm out -- send mail to cyrus-bugs";
} else {
    vacation "I'm out -- call me at +1 304 555 0123";
})";
  EXPECT_EQ(Outcome(script), "vacation:I'm out -- call me at +1 304 555 0123, implicit-keep");
  auto compiled = Compile(R"(require ["vacation-seconds"];
vacation :seconds 1800 :subject "Away" :from "me@example.com" :mime
         :addresses ["tjs@example.edu", "ts4z@landru.example.edu"] :handle "h1" "body";
)", Limits());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  FakeMessage m(kCoyote);
  options_.vacation_min_seconds = 600;
  RunResult r = sieve::Run(**compiled, m, env_, options_);
  ASSERT_EQ(r.actions.size(), 1u);
  const VacationRequest& v = r.actions[0].vacation;
  EXPECT_EQ(v.seconds, 1800);
  EXPECT_EQ(v.subject, "Away");
  EXPECT_EQ(v.from, "me@example.com");
  EXPECT_TRUE(v.mime);
  EXPECT_EQ(v.handle, "h1");
  EXPECT_EQ(v.addresses.size(), 2u);
  // :days is bounded by the site's minimum and maximum.
  compiled = Compile("require \"vacation\"; vacation :days 365 \"x\";", Limits());
  r = sieve::Run(**compiled, m, env_, options_);
  EXPECT_EQ(r.actions[0].vacation.seconds, options_.vacation_max_seconds);
  EXPECT_EQ(Outcome("require \"vacation\"; vacation \"a\"; vacation \"b\";"),
            "error: 1:35: only one vacation action per run");
}

// --- RFC 6609 include ----------------------------------------------------------------------

TEST_F(InterpreterTest, Rfc6609Include) {
  env_.personal_scripts["always_allow"] =
      "if address :is \"from\" \"boss@example.com\" { keep; }";
  env_.personal_scripts["spam_tests"] =
      "require [\"reject\"]; if header :contains \"Subject\" \"XXX\" { reject \"spam\"; }";
  env_.global_scripts["spam_tests"] =
      "require [\"fileinto\"]; if header :contains \"Subject\" \"$$$\" { fileinto \"spam\"; stop; }";
  env_.personal_scripts["mailing_lists"] =
      "require [\"fileinto\"]; if exists \"List-Id\" { fileinto \"lists\"; }";
  const char* script = R"(require ["include"];
include :personal "always_allow";
include :global "spam_tests";
include :personal "spam_tests";
include :personal "mailing_lists";
discard;
)";
  EXPECT_EQ(Outcome(script, kMillionaire), "fileinto:spam");
  EXPECT_EQ(Outcome(script, "Subject: XXX\r\n\r\n"), "reject:spam, discard");
  EXPECT_EQ(Outcome(script, "From: boss@example.com\r\nList-Id: <l>\r\n\r\n"),
            "keep, fileinto:lists, discard");
}

TEST_F(InterpreterTest, Rfc6609GlobalsReturnOnceOptional) {
  env_.personal_scripts["test_mailbox"] = R"(require ["include", "variables", "fileinto"];
global "test_mailbox";
set "local" "invisible";
if header :contains "subject" "present" { return; }
fileinto "${test_mailbox}";
)";
  env_.personal_scripts["counter"] = R"(require ["include", "variables", "fileinto"];
set "global.count" "${global.count}x";
fileinto "count-${global.count}";
)";
  const char* script = R"(require ["include", "variables", "fileinto"];
global "test_mailbox";
set "test_mailbox" "spam-${company}";
set "company" "ACME";
include "test_mailbox";
set "test_mailbox" "spam-${company}";
include :once "counter";
include :once "counter";
include "counter";
include :optional "missing";
fileinto "${local}end";
)";
  EXPECT_EQ(Outcome(script, "Subject: other\r\n\r\n"),
            "fileinto:spam-, fileinto:count-x, fileinto:count-xx, fileinto:end");
  EXPECT_EQ(Outcome(script),
            "fileinto:count-x, fileinto:count-xx, fileinto:end");
  EXPECT_EQ(Outcome("require \"include\"; include \"missing\";"),
            "error: 1:20: cannot include \"missing\": no such script");
  env_.personal_scripts["loop"] = "require \"include\"; include \"loop\";";
  EXPECT_EQ(Outcome("require \"include\"; include \"loop\";"),
            "error: 1:20: script \"loop\" includes itself");
  env_.personal_scripts["broken"] = "frob;";
  EXPECT_EQ(Outcome("require \"include\"; include \"broken\";"),
            "error: 1:20: included script \"broken\" does not compile: 1:1: unknown command 'frob'");
}

// --- RFC 7352 duplicate ----------------------------------------------------------------------

TEST_F(InterpreterTest, Rfc7352Duplicate) {
  const char* script = R"(require ["duplicate", "fileinto", "mailbox"];
if duplicate { fileinto :create "Trash/Duplicate"; }
)";
  const char* message = "Message-ID: <1234@example.com>\r\n\r\nbody";
  FakeMessage m(message);
  auto compiled = Compile(script, Limits());
  ASSERT_TRUE(compiled.ok());
  RunResult first = sieve::Run(**compiled, m, env_, options_);
  EXPECT_EQ(Describe(first), "implicit-keep");
  ASSERT_EQ(first.duplicate_marks.size(), 1u);
  env_.seen.insert(first.duplicate_marks[0].key);  // what the caller records
  EXPECT_EQ(Describe(sieve::Run(**compiled, m, env_, options_)), "fileinto:Trash/Duplicate create");
  // No Message-ID: nothing to compare, nothing recorded.
  FakeMessage bare("Subject: x\r\n\r\n");
  RunResult none = sieve::Run(**compiled, bare, env_, options_);
  EXPECT_EQ(Describe(none), "implicit-keep");
  EXPECT_TRUE(none.duplicate_marks.empty());

  const char* tracked = R"(require ["duplicate", "variables"];
if header :matches "subject" "ALERT: *" {
  if duplicate :seconds 60 :uniqueid "${1}" { discard; }
  if duplicate :handle "other" :header "x-event" :last { redirect "ops@example.com"; }
}
)";
  compiled = Compile(tracked, Limits());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  FakeMessage alert("Subject: ALERT: disk full\r\nX-Event: 77\r\n\r\n");
  RunResult r = sieve::Run(**compiled, alert, env_, options_);
  EXPECT_EQ(Describe(r), "implicit-keep");
  ASSERT_EQ(r.duplicate_marks.size(), 2u);
  EXPECT_EQ(r.duplicate_marks[0].key, "\ndisk full");
  EXPECT_EQ(r.duplicate_marks[0].seconds, 60);
  EXPECT_EQ(r.duplicate_marks[1].key, "other\n77");
  EXPECT_TRUE(r.duplicate_marks[1].last);
  env_.seen.insert("\ndisk full");
  env_.seen.insert("other\n77");
  EXPECT_EQ(Describe(sieve::Run(**compiled, alert, env_, options_)),
            "discard, redirect:ops@example.com");
}

// --- RFC 5183 environment, encoded-character -----------------------------------------------

TEST_F(InterpreterTest, Rfc5183Environment) {
  env_.items = {{"domain", "example.org"}, {"phase", "during"}};
  const char* script = R"(require ["environment", "fileinto", "variables"];
if environment :matches "domain" "*.org" { fileinto "org-${1}"; }
if environment :is "phase" "post" { discard; }
if environment :contains "remote-host" "" { discard; }
)";
  EXPECT_EQ(Outcome(script), "fileinto:org-example");
}

TEST_F(InterpreterTest, EncodedCharacter) {
  EXPECT_EQ(Outcome("require [\"encoded-character\"];\n"
                    "if header :contains \"subject\" \"$${hex:24 24}\" { discard; }",
                    kMillionaire),
            "discard");
}

// --- Limits ------------------------------------------------------------------------------

TEST_F(InterpreterTest, LimitsStopRunawayScripts) {
  options_.limits.max_steps = 1000;
  std::string big = "require \"variables\";\n";
  for (int i = 0; i < 2000; ++i) big += "if header :contains \"subject\" \"zz\" { stop; }\n";
  EXPECT_EQ(Outcome(big), "error: script exceeded its budget of 1000 steps");

  options_ = Options();
  options_.limits.max_redirects = 2;
  EXPECT_EQ(Outcome("redirect \"a@x.example\"; redirect \"b@x.example\"; redirect \"c@x.example\";"),
            "error: 1:49: more than 2 redirects");
  options_.limits.max_actions = 2;
  EXPECT_EQ(Outcome("require \"fileinto\"; fileinto \"a\"; fileinto \"b\"; fileinto \"c\";"),
            "error: 1:49: more than 2 actions");

  options_ = Options();
  options_.limits.max_variables = 2;
  EXPECT_EQ(Outcome("require \"variables\"; set \"a\" \"1\"; set \"b\" \"2\"; set \"a\" \"3\"; "
                    "set \"c\" \"4\";"),
            "error: 1:61: more than 2 variables");
  options_ = Options();
  options_.limits.max_variable_bytes = 4;
  EXPECT_EQ(Outcome("require [\"variables\", \"fileinto\"]; set \"a\" \"123456\"; "
                    "fileinto \"${a}\";"),
            "fileinto:1234");

  options_ = Options();
  options_.limits.max_include_depth = 2;
  env_.personal_scripts["a"] = "require \"include\"; include \"b\";";
  env_.personal_scripts["b"] = "require \"include\"; include \"c\";";
  env_.personal_scripts["c"] = "discard;";
  EXPECT_EQ(Outcome("require \"include\"; include \"a\";"),
            "error: 1:20: includes nested deeper than 2");
  options_.limits.max_include_depth = 8;
  options_.limits.max_includes = 3;
  EXPECT_EQ(Outcome("require \"include\"; include \"c\"; include \"c\"; include \"c\"; "
                    "include \"c\";"),
            "error: 1:59: more than 3 includes");

  // A :matches is charged by the work its scan did.
  options_ = Options();
  const std::string long_subject = "Subject: " + std::string(100000, 'a') + "\r\n\r\n";
  EXPECT_EQ(Outcome("if header :matches \"subject\" \"*a*a*a*a*a*b\" { discard; }", long_subject),
            "implicit-keep");
  // A pattern whose scan is quadratic is stopped by the budget mid-scan.
  options_ = Options();
  const std::string hostile = "*" + std::string(2000, 'a') + "b";
  EXPECT_EQ(Outcome("if header :matches \"subject\" \"" + hostile + "\" { discard; }",
                    long_subject),
            "error: script exceeded its budget of 200000 steps");
  // :contains is linear: the same sizes fit the budget.
  EXPECT_EQ(Outcome("if header :contains \"subject\" \"" + hostile.substr(1) +
                        "\" { discard; }",
                    long_subject),
            "implicit-keep");
}

}  // namespace
}  // namespace mailroom::sieve
