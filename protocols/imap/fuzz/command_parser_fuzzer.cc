// libFuzzer target: the IMAP command parser and everything that consumes
// its output without a store (search translation, FETCH response names,
// modified UTF-7 round trips). Invariants are checked with __builtin_trap
// so any violation is a crash the fuzzer reports.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutf7.h"
#include "protocols/imap/command_parser.h"
#include "protocols/imap/search_parser.h"

using mailroom::base::DecodeMutf7;
using mailroom::base::EncodeMutf7;
using mailroom::base::Mutf7Decoding;

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
      // A client's name is accepted only in the form the encoder writes.
      auto decoded = DecodeMutf7(arg, Mutf7Decoding::kStrict);
      if (decoded.ok() && EncodeMutf7(*decoded).value_or("") != arg) {
        __builtin_trap();
      }
    }
  }
  auto decoded = DecodeMutf7(input, Mutf7Decoding::kStrict);
  if (decoded.ok() && EncodeMutf7(*decoded).value_or("") != input) {
    __builtin_trap();
  }
  // What is read leniently still encodes to a form read back the same.
  auto lenient = DecodeMutf7(input, Mutf7Decoding::kLenient);
  if (lenient.ok()) {
    auto encoded = EncodeMutf7(*lenient);
    if (!encoded.ok()) __builtin_trap();
    auto again = DecodeMutf7(*encoded, Mutf7Decoding::kStrict);
    if (!again.ok() || *again != *lenient) __builtin_trap();
  }
  return 0;
}
