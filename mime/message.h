// The parsed structure of one RFC 5322 / MIME message, with the byte offsets
// of every part so that IMAP sections are served from the stored bytes.
//
// Parse() never fails: malformed input still yields some structure (at worst
// a single text/plain part covering the whole message). A Message refers to
// the raw bytes only by offsets; it does not keep them.
//
// Thread-safety: plain values; a const Message may be shared between threads.
#ifndef MAILROOM_MIME_MESSAGE_H_
#define MAILROOM_MIME_MESSAGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailroom::mime {

// A byte range [offset, offset + size) of the raw message.
struct Span {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t end() const { return offset + size; }
};

// One Content-Type/Content-Disposition parameter, RFC 2231 continuations
// joined and its value decoded to UTF-8. `name` is lower case.
struct Param {
  std::string name;
  std::string value;
};

// The raw (undecoded, unfolded) header values IMAP's ENVELOPE is built from.
// Absent fields are std::nullopt (rendered NIL).
struct EnvelopeFields {
  std::optional<std::string> date, subject, from, sender, reply_to, to, cc,
      bcc, in_reply_to, message_id;
};

struct Part {
  // The part's header block, including the blank line that ends it (if any),
  // and its body. For the top-level message, header starts at offset 0.
  Span header;
  Span body;

  // Content-Type, lower case; defaults per RFC 2045 (text/plain, or
  // message/rfc822 inside multipart/digest).
  std::string type = "text";
  std::string subtype = "plain";
  std::vector<Param> type_params;

  std::optional<std::string> content_id, description, md5, location;
  std::string encoding = "7bit";  // Content-Transfer-Encoding, lower case.
  std::optional<std::string> disposition;  // lower case, e.g. "attachment"
  std::vector<Param> disposition_params;
  std::vector<std::string> language;

  // Number of lines of the body (text/* and message/rfc822).
  uint64_t body_lines = 0;

  // multipart/*: the sub-parts. message/rfc822 (and message/global): exactly
  // one child, the encapsulated message (its header and body spans).
  std::vector<Part> children;

  // message/rfc822: the envelope of the encapsulated message; also set on the
  // top-level part for the message itself.
  std::optional<EnvelopeFields> envelope;

  bool is_multipart() const { return type == "multipart"; }
  bool is_message() const {
    return type == "message" && (subtype == "rfc822" || subtype == "global");
  }
};

// Parser limits; exceeding one never fails the parse, the excess is treated
// as body text.
struct Limits {
  int max_depth = 50;                  // nesting of multipart/message parts
  int max_header_fields = 1000;        // per header block
  uint64_t max_header_bytes = 1 << 20; // per header block
  int max_parts = 10000;               // per message
};

struct Message {
  Part root;        // the whole message: root.header.offset == 0
  uint64_t size = 0;
};

// Parses `raw`. Never fails; linear time in raw.size().
Message Parse(std::string_view raw, const Limits& limits = Limits());

// Compact binary encoding for the store's structure cache. Deserialize
// returns std::nullopt for bytes not produced by Serialize (or another
// format version): callers then parse again.
std::string Serialize(const Message& message);
std::optional<Message> Deserialize(std::string_view bytes);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_MESSAGE_H_
