// What a Sieve script run at LMTP delivery learns of its surroundings:
// RFC 5183 environment items, the owner's mailboxes (RFC 5490), scripts to
// include (RFC 6609) and duplicate memory (RFC 7352), all read through the
// store as the host acting for the script's owner.
//
// Thread-safety: not thread-safe; one run uses one environment.
#ifndef MAILROOM_PROTOCOLS_LMTP_SIEVE_ENVIRONMENT_H_
#define MAILROOM_PROTOCOLS_LMTP_SIEVE_ENVIRONMENT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "sieve/message.h"
#include "store/store.h"

namespace mailroom::lmtp {

// The version the "version" environment item reports.
inline constexpr char kSieveImplementationVersion[] = "1.0";

// Prefixes of the store marks delivery keeps per owner, so vacation and
// duplicate keys never collide.
inline constexpr char kVacationMarkPrefix[] = "vacation\n";
inline constexpr char kDuplicateMarkPrefix[] = "duplicate\n";

struct EnvironmentFacts {
  std::string host;       // this server's host name
  std::string domain;     // the recipient's domain
  std::string remote_ip;  // the MTA that connected
};

class DeliveryEnvironment : public sieve::Environment {
 public:
  // `store` outlives this. `host_for_owner` is the host's principal in the
  // owner's namespace; `host` the one with no namespace (global scripts).
  DeliveryEnvironment(store::MailStore& store, store::Principal host_for_owner,
                      store::Principal host, std::string owner,
                      EnvironmentFacts facts, absl::Time now);

  absl::Time Now() const override { return now_; }
  absl::TimeZone LocalZone() const override { return absl::LocalTimeZone(); }
  std::optional<std::string> Item(std::string_view name) const override;
  bool MailboxExists(std::string_view mailbox) const override;
  absl::StatusOr<std::string> LoadScript(sieve::ScriptLocation location,
                                         std::string_view name) const override;
  bool DuplicateSeen(std::string_view key) const override;

  // Store failures met while answering (they read as "no"), for the log.
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  store::MailStore& store_;
  const store::Principal host_for_owner_;
  const store::Principal host_;
  const std::string owner_;
  const EnvironmentFacts facts_;
  const absl::Time now_;
  mutable std::vector<std::string> problems_;
};

}  // namespace mailroom::lmtp

#endif  // MAILROOM_PROTOCOLS_LMTP_SIEVE_ENVIRONMENT_H_
