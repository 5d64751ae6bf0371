// Vacation replies (RFC 5230 §4.5-§5, RFC 6131): who never gets one, the
// once-per-period memory, and the reply's fields.
#include "sieve/vacation.h"

#include <map>

#include "gtest/gtest.h"
#include "sieve/testing/fake_message.h"

namespace mailroom::sieve {
namespace {

using testing::FakeMessage;

class MapMemory : public VacationMemory {
 public:
  bool Contains(std::string_view key, absl::Time now) override {
    auto it = entries.find(std::string(key));
    return it != entries.end() && it->second > now;
  }
  void Remember(std::string_view key, absl::Time expires) override {
    entries[std::string(key)] = expires;
  }
  std::map<std::string, absl::Time> entries;
};

class VacationTest : public ::testing::Test {
 protected:
  VacationDecision Decide(std::string_view text, std::string sender = "coyote@desert.example") {
    FakeMessage m(text);
    m.envelope = {{"from", sender}, {"to", "roadrunner@acme.example"}};
    return DecideVacation(request_, m, recipient_, memory_, now_);
  }

  VacationRequest request_{.reason = "Away until Monday", .handle = "h", .seconds = 86400};
  VacationRecipient recipient_{.address = "roadrunner@acme.example",
                               .other_addresses = {"rr@acme.example"}};
  MapMemory memory_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
};

constexpr char kPlain[] =
    "From: coyote@desert.example\r\nTo: Road Runner <RoadRunner@acme.example>\r\n"
    "Subject: anvil\r\nMessage-ID: <1@desert.example>\r\nReferences: <0@desert.example>\r\n\r\nhi";

TEST_F(VacationTest, RepliesOncePerPeriod) {
  VacationDecision d = Decide(kPlain);
  ASSERT_TRUE(d.send) << d.why_not;
  EXPECT_EQ(d.reply.to, "coyote@desert.example");
  EXPECT_EQ(d.reply.from, "roadrunner@acme.example");
  EXPECT_EQ(d.reply.subject, "Auto: anvil");
  EXPECT_EQ(d.reply.in_reply_to, "<1@desert.example>");
  EXPECT_EQ(d.reply.references, "<0@desert.example> <1@desert.example>");
  EXPECT_EQ(d.reply.body, "Away until Monday");
  ASSERT_EQ(d.reply.extra_headers.size(), 1u);
  EXPECT_EQ(d.reply.extra_headers[0].second, "auto-replied");

  d = Decide(kPlain);
  EXPECT_FALSE(d.send);
  EXPECT_EQ(d.why_not, "the sender was answered within the period");
  // Another handle is another reply; the period ends.
  request_.handle = "other";
  EXPECT_TRUE(Decide(kPlain).send);
  now_ += absl::Seconds(86401);
  request_.handle = "h";
  EXPECT_TRUE(Decide(kPlain).send);
}

TEST_F(VacationTest, NeverToListsBulkOrDaemons) {
  EXPECT_EQ(Decide(kPlain, "").why_not, "the sender is null");
  EXPECT_EQ(Decide(kPlain, "MAILER-DAEMON@desert.example").why_not,
            "the sender is a list or system address");
  EXPECT_EQ(Decide(kPlain, "owner-list@desert.example").why_not,
            "the sender is a list or system address");
  EXPECT_EQ(Decide(kPlain, "list-request@desert.example").why_not,
            "the sender is a list or system address");
  EXPECT_EQ(Decide(std::string("Auto-Submitted: auto-generated\r\n") + kPlain).why_not,
            "the message was sent automatically (Auto-Submitted)");
  EXPECT_TRUE(Decide(std::string("Auto-Submitted: no\r\n") + kPlain).send);
  EXPECT_EQ(Decide(std::string("Precedence: bulk\r\n") + kPlain).why_not,
            "the message is bulk or list mail");
  EXPECT_EQ(Decide(std::string("List-Id: <x.example>\r\n") + kPlain).why_not,
            "the message came from a list");
}

TEST_F(VacationTest, OnlyToExplicitRecipientsAndNotToSelf) {
  EXPECT_EQ(Decide("To: someone@else.example\r\n\r\nhi").why_not,
            "the user is not among the recipients in the header");
  EXPECT_TRUE(Decide("Cc: rr@acme.example\r\n\r\nhi").send);
  request_.addresses = {"alias@acme.example"};
  EXPECT_TRUE(Decide("To: alias@acme.example\r\n\r\nhi", "x@y.example").send);
  EXPECT_EQ(Decide(kPlain, "rr@acme.example").why_not, "the sender is the user");
  request_.subject = "Out";
  request_.from = "Road Runner <rr@acme.example>";
  VacationDecision d = Decide(kPlain, "new@desert.example");
  EXPECT_EQ(d.reply.subject, "Out");
  EXPECT_EQ(d.reply.from, "Road Runner <rr@acme.example>");
}

}  // namespace
}  // namespace mailroom::sieve
