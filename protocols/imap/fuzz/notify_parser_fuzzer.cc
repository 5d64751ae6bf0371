// libFuzzer target: the arguments of NOTIFY (RFC 5465) and SETQUOTA
// (RFC 9208), read by their parsers straight after the command name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocols/imap/notify_parser.h"

namespace {

void Check(bool ok) {
  if (!ok) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  {
    mailroom::imap::Lexer lexer(input);
    mailroom::imap::NotifyArgs args;
    const absl::Status status = mailroom::imap::ParseNotifyArgs(lexer, args);
    Check(lexer.pos() <= input.size());
    if (status.ok()) {
      Check(!(args.none && (args.status || !args.groups.empty())));
    }
  }
  {
    mailroom::imap::Lexer lexer(input);
    std::string root;
    mailroom::imap::SetQuotaArgs args;
    const absl::Status status =
        mailroom::imap::ParseSetQuotaArgs(lexer, root, args);
    Check(lexer.pos() <= input.size());
    if (status.ok()) {
      for (const auto& [resource, limit] : args.resources) {
        for (char c : resource) Check(!(c >= 'a' && c <= 'z'));
      }
    }
  }
  return 0;
}
