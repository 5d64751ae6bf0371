// The message being delivered, as a Sieve script sees it: header fields
// and body parts read from the delivered bytes with the mime/ parser and
// decoders, plus the envelope of this one recipient's delivery.
//
// Thread-safety: not thread-safe (parts are decoded lazily and cached).
#ifndef MAILROOM_PROTOCOLS_LMTP_SIEVE_MESSAGE_H_
#define MAILROOM_PROTOCOLS_LMTP_SIEVE_MESSAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"
#include "sieve/message.h"

namespace mailroom::lmtp {

class DeliveredMessage : public sieve::Message {
 public:
  // `raw` (the whole message, CRLF line ends) outlives this object.
  // `envelope_from` is the reverse-path ("" for <>), `envelope_to` the
  // address the recipient was given as in RCPT TO.
  DeliveredMessage(std::string_view raw, std::string envelope_from,
                   std::string envelope_to);

  std::vector<std::string> HeaderValues(std::string_view name,
                                        bool decoded) const override;
  std::optional<std::string> Envelope(std::string_view part) const override;
  uint64_t Size() const override { return raw_.size(); }
  std::string RawBody() const override;
  std::vector<sieve::BodyPart> BodyParts() const override;

 private:
  std::string_view raw_;
  std::string envelope_from_;
  std::string envelope_to_;
  mime::Message parsed_;
  mutable std::optional<std::vector<sieve::BodyPart>> parts_;
};

}  // namespace mailroom::lmtp

#endif  // MAILROOM_PROTOCOLS_LMTP_SIEVE_MESSAGE_H_
