// Debian's Abseil is built with its own absl::string_view (not an alias of
// std::string_view); the plugin ABI speaks std::string_view. Av() bridges.
#ifndef MAILROOM_SERVER_ABSL_VIEW_H_
#define MAILROOM_SERVER_ABSL_VIEW_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace mailroom::server {

inline absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view Sv(absl::string_view s) { return {s.data(), s.size()}; }

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_ABSL_VIEW_H_
