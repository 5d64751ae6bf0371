// libFuzzer target: the admin message query language. The input is the
// command line's words, NUL-separated as a shell would pass them; the tail
// after the last word also goes through ParseWhen (--saved and the like).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_split.h"
#include "server/admin/message_query.h"

namespace {

using mailroom::store::SearchKey;

void Check(bool ok) {
  if (!ok) abort();
}

// No "*" may survive ResolveHighestUid.
bool HasPlaceholder(const SearchKey& key) {
  for (const auto& range : key.uids) {
    if (range.first ==
            mailroom::server::admin::kHighestUidPlaceholder ||
        range.last == mailroom::server::admin::kHighestUidPlaceholder) {
      return true;
    }
  }
  for (const SearchKey& child : key.children) {
    if (HasPlaceholder(child)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> words =
      absl::StrSplit(absl::string_view(input.data(), input.size()), '\0');
  absl::StatusOr<SearchKey> key =
      mailroom::server::admin::ParseMessageQuery(words);
  if (key.ok()) {
    const bool uses = mailroom::server::admin::UsesHighestUid(*key);
    mailroom::server::admin::ResolveHighestUid(*key, 42);
    Check(!HasPlaceholder(*key));
    if (!uses) Check(!mailroom::server::admin::UsesHighestUid(*key));
  } else {
    Check(key.status().code() == absl::StatusCode::kInvalidArgument);
  }
  (void)mailroom::server::admin::ParseWhen(words.back(), 1700000000);
  return 0;
}
