// LMTP command arguments (RFC 2033 on top of RFC 5321): MAIL FROM and RCPT
// TO paths with their ESMTP parameters, and how a recipient address maps
// to a local user and folder.
//
// Thread-safety: free functions on values; safe to call concurrently.
#ifndef MAILROOM_PROTOCOLS_LMTP_LMTP_COMMAND_H_
#define MAILROOM_PROTOCOLS_LMTP_LMTP_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace mailroom::lmtp {

struct Command {
  std::string verb;  // upper case
  std::string rest;  // after the first space
};
Command ParseCommand(std::string_view line);

// "<local@domain> KEY=VALUE KEY" after "FROM:" / "TO:".
struct PathArgument {
  std::string address;  // without the brackets; empty for the null path <>
  // Parameters in order: keyword upper-cased, value as sent (may be empty).
  std::vector<std::pair<std::string, std::string>> params;
};
// `text` is what follows the command, e.g. "FROM:<a@b> SIZE=10"; `keyword`
// is "FROM" or "TO" (matched case-insensitively, spaces after ':' allowed).
// kInvalidArgument on a syntax error.
absl::StatusOr<PathArgument> ParsePathArgument(std::string_view text,
                                               std::string_view keyword);

// MAIL FROM parameters we support (RFC 1870, 6152, 3030, 6531).
enum class BodyType { k7Bit, k8BitMime, kBinaryMime };
struct MailParams {
  std::optional<uint64_t> size;
  BodyType body = BodyType::k7Bit;
  bool smtputf8 = false;
};
// kInvalidArgument for a bad value, kUnimplemented for an unknown keyword.
absl::StatusOr<MailParams> ParseMailParams(
    const std::vector<std::pair<std::string, std::string>>& params);

// A recipient split for delivery: "John+Sales@Example.COM" is user "john",
// detail "Sales", domain "example.com".
struct Recipient {
  std::string user;    // local part before '+', ASCII lower-cased, unquoted
  std::string detail;  // after the first '+', or empty
  std::string domain;  // lower case; empty when the address had none
};
// kInvalidArgument for a malformed address.
absl::StatusOr<Recipient> SplitRecipient(std::string_view address);

// Whether `domain` is one of `local_domains` (case-insensitive). An address
// without a domain counts as local.
bool IsLocalDomain(std::string_view domain,
                   const std::vector<std::string>& local_domains);

bool IsAscii(std::string_view text);

}  // namespace mailroom::lmtp

#endif  // MAILROOM_PROTOCOLS_LMTP_LMTP_COMMAND_H_
