// Flag names as admin commands print and parse them: "\Seen $Label1".
#ifndef MAILROOM_SERVER_ADMIN_FLAG_NAMES_H_
#define MAILROOM_SERVER_ADMIN_FLAG_NAMES_H_

#include <string>
#include <vector>

#include "store/types.h"

namespace mailroom::server::admin {

// System flags first, in a fixed order, then the keywords.
std::vector<std::string> FlagNames(const store::Flags& flags);
// FlagNames joined by spaces.
std::string FlagsText(const store::Flags& flags);
// "\Seen $Label1" -> Flags; system flags case-insensitive, others are
// keywords. False (with `error`) for an unknown \flag.
bool ParseFlags(const std::vector<std::string>& words, store::Flags* flags,
                std::string* error);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_FLAG_NAMES_H_
