// LIST/LSUB pattern matching (RFC 9051 section 6.3.9): "*" matches any
// characters, "%" any characters except the hierarchy delimiter. INBOX as
// the first level matches case-insensitively.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_PROTOCOLS_IMAP_LIST_PATTERN_H_
#define MAILROOM_PROTOCOLS_IMAP_LIST_PATTERN_H_

#include <string>
#include <string_view>

namespace mailroom::imap {

bool MatchListPattern(std::string_view pattern, std::string_view name,
                      char delimiter = '/');

// The canonical pattern of a reference and a mailbox pattern.
std::string CombineReference(std::string_view reference,
                             std::string_view pattern, char delimiter = '/');

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_LIST_PATTERN_H_
