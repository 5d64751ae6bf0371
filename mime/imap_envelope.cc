#include <string>
#include <string_view>

#include "mime/imap.h"
#include "mime/raw_address.h"

namespace mailroom::mime {
namespace {

std::string OrNil(const std::string& s) { return s.empty() ? "NIL" : ImapString(s); }

// An address list, or NIL if the field is absent or holds no address.
std::string AddressList(const std::optional<std::string>& value) {
  if (!value) return "NIL";
  std::vector<RawAddress> addresses = ParseRawAddressList(*value);
  if (addresses.empty()) return "NIL";
  std::string out = "(";
  for (const RawAddress& a : addresses) {
    switch (a.kind) {
      case RawAddress::Kind::kGroupStart:
        out += "(NIL NIL " + ImapString(a.name) + " NIL)";
        break;
      case RawAddress::Kind::kGroupEnd:
        out += "(NIL NIL NIL NIL)";
        break;
      case RawAddress::Kind::kMailbox:
        out += "(" + OrNil(a.name) + " " + OrNil(a.route) + " " +
               ImapString(a.mailbox) + " " + ImapString(a.host) + ")";
        break;
    }
  }
  out += ")";
  return out;
}

bool IsBlank(const std::optional<std::string>& value) {
  if (!value) return true;
  for (char c : *value) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

std::string Envelope(const EnvelopeFields& f) {
  std::string from = AddressList(f.from);
  std::string sender = IsBlank(f.sender) ? from : AddressList(f.sender);
  std::string reply_to = IsBlank(f.reply_to) ? from : AddressList(f.reply_to);
  std::string out = "(";
  out += ImapNString(f.date);
  out += " " + ImapNString(f.subject);
  out += " " + from;
  out += " " + sender;
  out += " " + reply_to;
  out += " " + AddressList(f.to);
  out += " " + AddressList(f.cc);
  out += " " + AddressList(f.bcc);
  out += " " + ImapNString(f.in_reply_to);
  out += " " + ImapNString(f.message_id);
  out += ")";
  return out;
}

std::string Envelope(const Message& message) {
  return Envelope(message.root.envelope.value_or(EnvelopeFields{}));
}

}  // namespace mailroom::mime
