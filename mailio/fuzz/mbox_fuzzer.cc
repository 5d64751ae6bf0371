// libFuzzer target: an mbox file as "import" reads it: messages cut at
// "From " lines with their dates parsed, ">From " unquoted, line ends made
// CRLF, then the bookkeeping headers (Status, X-Status, X-Keywords, X-UID,
// X-IMAPbase, X-IMAP, Content-Length) taken out of each message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "mailio/mbox_metadata.h"
#include "mailio/mbox_reader.h"

namespace {

void Check(bool ok) {
  if (!ok) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input);
  mailroom::mailio::MboxReader reader(&in);
  size_t total = 0;
  for (int count = 0; count < 10000; ++count) {
    std::optional<mailroom::mailio::MboxMessage> message = reader.Next();
    if (!message) break;
    total += message->data.size();
    // Every LF of a message is part of a CRLF.
    for (size_t i = 0; i < message->data.size(); ++i) {
      if (message->data[i] == '\n') Check(i > 0 && message->data[i - 1] == '\r');
    }
    std::string body = message->data;
    const size_t before = body.size();
    const mailroom::mailio::MboxMetadata metadata =
        mailroom::mailio::ExtractMboxMetadata(&body);
    Check(body.size() <= before);
    if (metadata.uid) {
      (void)mailroom::mailio::FormatMboxMetadata(
          metadata.flags, *metadata.uid, metadata.uidvalidity,
          metadata.next_uid.value_or(0));
    }
  }
  // CRLF for LF can at most double the input.
  Check(total <= 2 * size + 2);
  (void)mailroom::mailio::ParseFromLineDate(
      std::string_view(input).substr(0, 256));
  return 0;
}
