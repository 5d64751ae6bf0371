// libFuzzer target: the IMAP command parser and everything that consumes
// its output without a store (search translation, FETCH response names,
// modified UTF-7 round trips). Invariants are checked with __builtin_trap
// so any violation is a crash the fuzzer reports.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/command_parser.h"
#include "protocols/imap/search_parser.h"
#include "protocols/imap/utf7.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  mailroom::imap::ParseLimits limits;
  limits.max_depth = 32;
  limits.max_sequence_elements = 1000;
  auto command = mailroom::imap::ParseCommand(input, limits);
  if (command.ok()) {
    const std::vector<mailroom::store::Uid> uids = {1, 2, 3, 5, 8, 13};
    const std::vector<mailroom::store::Uid> saved = {2, 3};
    (void)mailroom::imap::TranslateSearchKey(command->search.key, uids, saved);
    for (const auto& attr : command->fetch.attrs) (void)attr.ResponseName();
    for (const auto& r : command->fetch.set.Resolve(6)) {
      if (r.first == 0 || r.first > r.last) __builtin_trap();
    }
    for (const std::string& arg : command->args) {
      auto decoded = mailroom::imap::DecodeMailboxUtf7(arg);
      if (decoded.ok()) {
        // What decodes must encode back to a form that decodes the same.
        auto again = mailroom::imap::DecodeMailboxUtf7(
            mailroom::imap::EncodeMailboxUtf7(*decoded));
        if (!again.ok() || *again != *decoded) __builtin_trap();
      }
    }
  }
  auto decoded = mailroom::imap::DecodeMailboxUtf7(input);
  if (decoded.ok()) {
    auto again = mailroom::imap::DecodeMailboxUtf7(
        mailroom::imap::EncodeMailboxUtf7(*decoded));
    if (!again.ok() || *again != *decoded) __builtin_trap();
  }
  return 0;
}
