#include "protocols/lmtp/sieve_environment.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::lmtp {
namespace {

absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

DeliveryEnvironment::DeliveryEnvironment(store::MailStore& store,
                                         store::Principal host_for_owner,
                                         store::Principal host,
                                         std::string owner,
                                         EnvironmentFacts facts, absl::Time now)
    : store_(store),
      host_for_owner_(std::move(host_for_owner)),
      host_(std::move(host)),
      owner_(std::move(owner)),
      facts_(std::move(facts)),
      now_(now) {}

std::optional<std::string> DeliveryEnvironment::Item(
    std::string_view name) const {
  // RFC 5183 section 4.
  if (name == "domain") return facts_.domain;
  if (name == "host") return facts_.host;
  if (name == "location") return std::string("MDA");
  if (name == "name") return std::string("Mailroom");
  if (name == "phase") return std::string("during");
  if (name == "remote-ip" && !facts_.remote_ip.empty()) return facts_.remote_ip;
  if (name == "version") return std::string(kSieveImplementationVersion);
  return std::nullopt;
}

bool DeliveryEnvironment::MailboxExists(std::string_view mailbox) const {
  absl::StatusOr<store::MailboxStatus> status =
      store_.GetStatus(host_for_owner_, mailbox);
  if (!status.ok() && status.status().code() != absl::StatusCode::kNotFound) {
    problems_.push_back(absl::StrCat("mailboxexists ", AsAbsl(mailbox), ": ",
                                     status.status().ToString()));
  }
  return status.ok();
}

absl::StatusOr<std::string> DeliveryEnvironment::LoadScript(
    sieve::ScriptLocation location, std::string_view name) const {
  if (location == sieve::ScriptLocation::kGlobal) {
    return store_.GetSieveScript(host_, "", name);
  }
  return store_.GetSieveScript(host_, owner_, name);
}

bool DeliveryEnvironment::DuplicateSeen(std::string_view key) const {
  absl::StatusOr<bool> seen = store_.HasSieveMark(
      host_, owner_, absl::StrCat(kDuplicateMarkPrefix, AsAbsl(key)),
      absl::ToUnixSeconds(now_));
  if (!seen.ok()) {
    problems_.push_back(
        absl::StrCat("duplicate: ", seen.status().ToString()));
    return false;
  }
  return *seen;
}

}  // namespace mailroom::lmtp
