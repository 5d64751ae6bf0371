// Sieve at LMTP delivery: for each recipient, the global "before" script
// (if any), the user's active script (if any) and the global "after"
// script (if any) run in that order, and the message is stored, refused,
// redirected and answered as they decide.
//
// The sequence (as Pigeonhole runs sieve_before/sieve_after): a script runs
// only while the message would still be kept; a script that ends without a
// keep (explicit or implicit: it filed, discarded, redirected or rejected
// the message) ends the sequence. `stop` ends only the script it is in.
// A keep is carried out once, by the last script that ran, with that
// script's flags; fileinto, redirect and vacation of every script that ran
// are carried out. A reject (or ereject) anywhere refuses the message for
// that recipient alone (LMTP 550 5.7.1 with the reason) and nothing else
// of the sequence is done. A script that does not compile or fails at run
// time ends the sequence with a keep; why is logged.
//
// Filing: keep goes where a plain delivery goes (INBOX, or the recipient's
// "+detail" folder under the usual rule) with the keep's flags; fileinto
// files as the user (their rights, :create, flags); a fileinto that fails
// keeps the message in INBOX instead and logs why. Redirects and vacation
// replies are queued in the store's outbound queue after the message is
// stored (a failed queueing of a redirect keeps the message when nothing
// else did); the host's relay sends them, or holds them while no relay is
// configured. Duplicate ids (RFC 7352) are recorded once the message is
// stored.
//
// Thread-safety: DeliverWithSieve may run concurrently; it blocks on the
// store (call it on a worker thread).
#ifndef MAILROOM_PROTOCOLS_LMTP_SIEVE_DELIVERY_H_
#define MAILROOM_PROTOCOLS_LMTP_SIEVE_DELIVERY_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "protocols/lmtp/script_cache.h"
#include "sieve/limits.h"
#include "store/store.h"

namespace mailroom::lmtp {

struct SieveSettings {
  bool enabled = true;
  sieve::Options options;
  size_t cache_scripts = 1000;
};

// The plugin options "lmtp.sieve", "lmtp.sieve_max_actions",
// "lmtp.sieve_max_redirects", "lmtp.sieve_max_steps",
// "lmtp.sieve_max_include_depth", "lmtp.sieve_cache_scripts". A value that
// is not a number (or true/false) in range is kInvalidArgument naming it.
absl::StatusOr<SieveSettings> SieveSettingsFromOptions(
    const std::map<std::string, std::string>& options);

// The process-wide script cache (its capacity is fixed by the first call).
ScriptCache& SharedScriptCache(size_t capacity);

struct SieveRecipient {
  std::string address;           // as given in RCPT TO
  std::string domain;            // its domain, lower case
  store::DeliveryTarget target;  // where a plain delivery (keep) goes
};

struct SieveDeliveryContext {
  store::MailStore* store = nullptr;
  // The host's principal in a user's namespace ("" for none).
  store::Principal (*principal)(std::string_view user) = nullptr;
  const SieveSettings* settings = nullptr;
  ScriptCache* cache = nullptr;
  std::string reverse_path;  // "" for <>
  std::string hostname;
  std::string remote_ip;
  std::vector<std::string> local_domains;
  absl::Time now;
};

struct RecipientOutcome {
  // OK: delivered (or discarded/redirected as the script said). Otherwise
  // the store's failure, which the session turns into a reply.
  absl::Status status;
  std::optional<std::string> reject_reason;  // set: reply 550 5.7.1
  std::vector<std::string> log;              // what to log for this recipient
};

// Delivers `data` to every recipient, running their scripts; one outcome
// per recipient in order. The message is stored with one Store::Deliver
// for all recipients (a second only for fallbacks).
std::vector<RecipientOutcome> DeliverWithSieve(
    const SieveDeliveryContext& context,
    const std::vector<SieveRecipient>& recipients, std::string_view data);

// A reject reason as LMTP reply text: one line of printable ASCII, at
// most 200 characters.
std::string RejectReplyText(std::string_view reason);

// Sieve flag names (RFC 5232) as store flags; \Recent and unknown system
// flags and names that are not IMAP atoms are dropped.
store::Flags ToStoreFlags(const std::vector<std::string>& names);

}  // namespace mailroom::lmtp

#endif  // MAILROOM_PROTOCOLS_LMTP_SIEVE_DELIVERY_H_
