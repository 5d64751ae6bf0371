// In-memory Message and Environment for tests and benchmarks: a message
// parsed from RFC 5322 text (headers unfolded, RFC 2047 words decoded,
// the body as one part unless parts are given) and an environment whose
// clock, mailboxes, scripts and duplicate memory are plain fields.
#ifndef MAILROOM_SIEVE_TESTING_FAKE_MESSAGE_H_
#define MAILROOM_SIEVE_TESTING_FAKE_MESSAGE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sieve/message.h"

namespace mailroom::sieve::testing {

class FakeMessage : public Message {
 public:
  explicit FakeMessage(std::string_view text);

  std::vector<std::string> HeaderValues(std::string_view name, bool decoded) const override;
  std::optional<std::string> Envelope(std::string_view part) const override;
  uint64_t Size() const override { return text_.size(); }
  std::string RawBody() const override { return body_; }
  std::vector<BodyPart> BodyParts() const override { return parts_; }

  std::map<std::string, std::string> envelope;  // "from", "to", ...
  void SetParts(std::vector<BodyPart> parts) { parts_ = std::move(parts); }

 private:
  std::string text_;
  std::vector<std::pair<std::string, std::string>> headers_;  // lower name, raw value
  std::string body_;
  std::vector<BodyPart> parts_;
};

// RFC 2047 encoded-words (B and Q) decoded; charsets are taken as UTF-8.
std::string DecodeEncodedWords(std::string_view value);

class FakeEnvironment : public Environment {
 public:
  absl::Time Now() const override { return now; }
  absl::TimeZone LocalZone() const override { return zone; }
  std::optional<std::string> Item(std::string_view name) const override {
    auto it = items.find(std::string(name));
    if (it == items.end()) return std::nullopt;
    return it->second;
  }
  bool MailboxExists(std::string_view mailbox) const override {
    return mailboxes.count(std::string(mailbox)) > 0;
  }
  absl::StatusOr<std::string> LoadScript(ScriptLocation location,
                                         std::string_view name) const override;
  bool DuplicateSeen(std::string_view key) const override {
    return seen.count(std::string(key)) > 0;
  }

  absl::Time now = absl::FromUnixSeconds(1207040791);  // 2008-04-01 09:06:31 UTC
  absl::TimeZone zone = absl::UTCTimeZone();
  std::map<std::string, std::string> items;
  std::set<std::string> mailboxes;
  std::map<std::string, std::string> personal_scripts, global_scripts;
  std::set<std::string> seen;
};

}  // namespace mailroom::sieve::testing

#endif  // MAILROOM_SIEVE_TESTING_FAKE_MESSAGE_H_
