#include "store/internal/object_ids.h"

#include "base/crypto.h"
#include "mime/header.h"

namespace mailroom::store::internal {
namespace {

std::string Digest(std::string_view key, std::string_view domain,
                   std::string_view data) {
  std::string input(domain);
  input.push_back('\0');
  input.append(data);
  return crypto::HmacSha256(key, input).substr(0, kObjectIdBytes);
}

// The first "<...>" of a header value, without the brackets, lower-cased
// (message ids are compared as the same id whatever the case of the
// domain; local parts differing only in case are rare enough to merge).
std::string FirstMessageId(std::string_view value) {
  size_t open = value.find('<');
  if (open == std::string_view::npos) return "";
  size_t close = value.find('>', open + 1);
  if (close == std::string_view::npos) return "";
  std::string id;
  for (char c : value.substr(open + 1, close - open - 1)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    id.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return id;
}

// The header block: up to the first empty line (CRLF or bare LF).
mime::Span HeaderSpan(std::string_view message) {
  size_t pos = 0;
  while (pos < message.size()) {
    size_t eol = message.find('\n', pos);
    if (eol == std::string_view::npos) return {0, message.size()};
    std::string_view line = message.substr(pos, eol - pos);
    if (line.empty() || line == "\r") return {0, eol + 1};
    pos = eol + 1;
  }
  return {0, message.size()};
}

}  // namespace

std::string MailboxObjectIdRaw(std::string_view key, uint64_t mailbox_id) {
  std::string id;
  for (int shift = 56; shift >= 0; shift -= 8) {
    id.push_back(static_cast<char>((mailbox_id >> shift) & 0xff));
  }
  return Digest(key, "mailbox", id);
}

std::string EmailObjectIdRaw(std::string_view key, std::string_view body_hash) {
  return Digest(key, "email", body_hash);
}

std::string ThreadObjectIdRaw(std::string_view key, std::string_view root) {
  return Digest(key, "thread", root);
}

std::string ObjectIdText(char prefix, std::string_view raw) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out(1, prefix);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : raw) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(buffer >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::string ThreadRoot(std::string_view message) {
  std::string references, in_reply_to, message_id;
  for (const mime::HeaderField& field :
       mime::SplitHeader(message, HeaderSpan(message))) {
    std::string* slot = nullptr;
    if (mime::EqualsIgnoreCase(field.name, "References")) {
      slot = &references;
    } else if (mime::EqualsIgnoreCase(field.name, "In-Reply-To")) {
      slot = &in_reply_to;
    } else if (mime::EqualsIgnoreCase(field.name, "Message-ID")) {
      slot = &message_id;
    }
    if (slot != nullptr && slot->empty()) *slot = FirstMessageId(field.value);
  }
  if (!references.empty()) return references;
  if (!in_reply_to.empty()) return in_reply_to;
  return message_id;
}

std::string ThreadObjectIdOf(std::string_view key, std::string_view message,
                             std::string_view body_hash) {
  std::string root = ThreadRoot(message);
  if (root.empty()) return Digest(key, "thread-of-body", body_hash);
  return ThreadObjectIdRaw(key, root);
}

}  // namespace mailroom::store::internal
