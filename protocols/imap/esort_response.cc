#include "protocols/imap/esort_response.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"

namespace mailroom::imap {
namespace {

bool Has(const std::vector<std::string>& v, std::string_view name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}

}  // namespace

std::string OrderedNumberSet(const std::vector<uint32_t>& numbers) {
  std::string out;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (!out.empty()) out += ',';
    absl::StrAppend(&out, numbers[i]);
    if (j > i) absl::StrAppend(&out, ":", numbers[j]);
    i = j + 1;
  }
  return out;
}

std::string EsortResponse(std::string_view tag, bool uid,
                          const std::vector<std::string>& returns,
                          const std::vector<uint32_t>& sorted) {
  const bool all = returns.empty() || Has(returns, "ALL");
  std::string line =
      absl::StrCat("ESEARCH (TAG ", QuoteString(tag), ")");
  if (uid) line += " UID";
  if (!sorted.empty()) {
    if (Has(returns, "MIN")) absl::StrAppend(&line, " MIN ", sorted.front());
    if (Has(returns, "MAX")) absl::StrAppend(&line, " MAX ", sorted.back());
    if (all) absl::StrAppend(&line, " ALL ", OrderedNumberSet(sorted));
  }
  if (Has(returns, "COUNT")) absl::StrAppend(&line, " COUNT ", sorted.size());
  return line;
}

}  // namespace mailroom::imap
