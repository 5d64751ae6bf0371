#include "protocols/imap/imap_url.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "base/mutf7.h"
#include "base/status_macros.h"
#include "base/utf8.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

absl::Status Invalid(std::string_view why) {
  return absl::InvalidArgumentError(AbslView(why));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         EqualsNoCase(s.substr(0, prefix.size()), prefix);
}

// 1*DIGIT within `max`; `nonzero` for nz-number (no leading zero either).
absl::StatusOr<uint64_t> Number(std::string_view s, uint64_t max,
                                bool nonzero) {
  if (s.empty() || s.size() > 20) return Invalid("bad number");
  if (nonzero && s[0] == '0') return Invalid("bad number");
  uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Invalid("bad number");
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return Invalid("number too large");
    value = value * 10 + digit;
  }
  return value;
}

// A decoded mailbox name: UTF-8, or modified UTF-7 when it is ASCII and
// decodes as such (RFC 2192 URLs).
absl::StatusOr<std::string> DecodeUrlMailbox(std::string_view encoded) {
  MR_ASSIGN_OR_RETURN(std::string name, PercentDecode(encoded));
  if (name.empty()) return Invalid("empty mailbox name");
  bool ascii = true;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp = 0;
    const size_t n = base::Utf8SequenceLength(
        std::string_view(name).substr(i), &cp);
    if (n == 0) return Invalid("mailbox name is not UTF-8");
    if (cp < 0x20 || cp == 0x7f) return Invalid("control character in name");
    if (cp >= 0x80) ascii = false;
    i += n;
  }
  if (ascii && name.find('&') != std::string::npos) {
    absl::StatusOr<std::string> utf8 =
        base::DecodeMutf7(name, base::Mutf7Decoding::kStrict);
    if (utf8.ok()) return *std::move(utf8);
  }
  return name;
}

// One ";KEY=value" after the mailbox, and whether a "/" followed it.
struct Piece {
  std::string key;  // upper case
  std::string_view value;
  bool slash_after = false;
};

enum class Order { kNone, kUidValidity, kUid, kSection, kPartial };

absl::Status ParseServer(std::string_view server, ImapUrl* url) {
  url->has_server = true;
  const size_t at = server.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = server.substr(0, at);
    // iuserinfo = enc-user [iauth]: ";AUTH=" names a mechanism, not a user.
    const size_t semi = userinfo.find(';');
    if (semi != std::string_view::npos) {
      if (!StartsWithNoCase(userinfo.substr(semi), ";AUTH=")) {
        return Invalid("bad user information");
      }
      userinfo = userinfo.substr(0, semi);
    }
    if (!userinfo.empty()) {
      MR_ASSIGN_OR_RETURN(std::string user, PercentDecode(userinfo));
      url->user = std::move(user);
    }
    server = server.substr(at + 1);
  }
  std::string_view host = server;
  std::string_view port;
  if (!server.empty() && server[0] == '[') {
    const size_t close = server.find(']');
    if (close == std::string_view::npos) return Invalid("bad host");
    host = server.substr(0, close + 1);
    std::string_view after = server.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Invalid("bad host");
      port = after.substr(1);
    }
  } else if (const size_t colon = server.find(':');
             colon != std::string_view::npos) {
    host = server.substr(0, colon);
    port = server.substr(colon + 1);
  }
  if (host.empty()) return Invalid("missing host");
  url->host = std::string(host);
  if (!port.empty()) {
    MR_ASSIGN_OR_RETURN(uint64_t p, Number(port, 65535, false));
    url->port = static_cast<uint16_t>(p);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return Invalid("truncated percent-escape");
    }
    const int hi = HexValue(text[i + 1]);
    const int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return Invalid("bad percent-escape");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

absl::StatusOr<ImapUrl> ParseImapUrl(std::string_view text) {
  ImapUrl url;
  if (text.empty()) return Invalid("empty URL");
  std::string_view rest = text;
  bool mailbox_required = false;
  if (StartsWithNoCase(rest, "imap:")) {
    rest.remove_prefix(5);
    if (rest.substr(0, 2) != "//") return Invalid("missing server");
  } else {
    // Any other scheme ("http:", "imaps:"...) is not ours.
    const size_t colon = rest.find(':');
    const size_t stop = rest.find_first_of("/;?");
    if (colon != std::string_view::npos &&
        (stop == std::string_view::npos || colon < stop) &&
        absl::ascii_isalpha(static_cast<unsigned char>(rest[0]))) {
      return Invalid("not an IMAP URL");
    }
  }
  if (rest.substr(0, 2) == "//") {
    rest.remove_prefix(2);
    const size_t slash = rest.find('/');
    MR_RETURN_IF_ERROR(ParseServer(rest.substr(0, slash), &url));
    if (slash == std::string_view::npos) return Invalid("no message named");
    rest = rest.substr(slash);
  }
  if (!rest.empty() && rest[0] == '/') {
    rest.remove_prefix(1);
    mailbox_required = true;
  }
  if (rest.find('?') != std::string_view::npos) {
    return Invalid("a search is not a message reference");
  }
  if (rest.find('#') != std::string_view::npos) {
    return Invalid("fragments are not allowed");
  }

  const size_t semi = rest.find(';');
  std::string_view mailbox = rest.substr(0, semi);
  bool slash_before = false;
  if (!mailbox.empty() && mailbox.back() == '/') {
    slash_before = true;
    mailbox.remove_suffix(1);
  }
  if (!mailbox.empty()) {
    MR_ASSIGN_OR_RETURN(std::string name, DecodeUrlMailbox(mailbox));
    url.mailbox = std::move(name);
  } else if (mailbox_required || slash_before) {
    return Invalid("missing mailbox name");
  }
  if (semi == std::string_view::npos) return Invalid("no message UID");

  std::vector<Piece> pieces;
  std::string_view tail = rest.substr(semi + 1);
  while (true) {
    const size_t next = tail.find(';');
    std::string_view item = tail.substr(0, next);
    Piece p;
    if (!item.empty() && item.back() == '/') {
      p.slash_after = true;
      item.remove_suffix(1);
    }
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) return Invalid("bad URL parameter");
    p.key = AsciiUpper(item.substr(0, eq));
    p.value = item.substr(eq + 1);
    pieces.push_back(p);
    if (next == std::string_view::npos) break;
    tail = tail.substr(next + 1);
  }
  if (pieces.back().slash_after) return Invalid("trailing slash");

  Order last = Order::kNone;
  const bool has_mailbox = url.mailbox.has_value();
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Piece& p = pieces[i];
    const bool after_something = i > 0 || has_mailbox;
    const bool slash = i == 0 ? slash_before : pieces[i - 1].slash_after;
    if (p.key == "EXPIRE" || p.key == "URLAUTH") {
      return Invalid("URLAUTH is not supported");
    }
    if (p.key == "UIDVALIDITY") {
      // imailbox-ref = enc-mailbox [uidvalidity]: right after the name.
      if (i != 0 || !has_mailbox || slash) return Invalid("misplaced UIDVALIDITY");
      MR_ASSIGN_OR_RETURN(uint64_t v, Number(p.value, UINT32_MAX, true));
      url.uidvalidity = static_cast<uint32_t>(v);
      last = Order::kUidValidity;
      continue;
    }
    // Every other part is "/"-separated from what precedes it.
    if (after_something && !slash) return Invalid("missing '/' separator");
    if (p.key == "UID") {
      if (last >= Order::kUid) return Invalid("misplaced UID");
      MR_ASSIGN_OR_RETURN(uint64_t v, Number(p.value, UINT32_MAX, true));
      url.uid = static_cast<uint32_t>(v);
      last = Order::kUid;
    } else if (p.key == "SECTION") {
      if (last >= Order::kSection || (has_mailbox && last < Order::kUid)) {
        return Invalid("misplaced SECTION");
      }
      MR_ASSIGN_OR_RETURN(std::string section, PercentDecode(p.value));
      if (section.empty()) return Invalid("empty SECTION");
      url.section = std::move(section);
      last = Order::kSection;
    } else if (p.key == "PARTIAL") {
      if (last >= Order::kPartial || (has_mailbox && last < Order::kUid)) {
        return Invalid("misplaced PARTIAL");
      }
      const size_t dot = p.value.find('.');
      MR_ASSIGN_OR_RETURN(uint64_t offset,
                          Number(p.value.substr(0, dot), UINT32_MAX, false));
      url.partial_offset = offset;
      if (dot != std::string_view::npos) {
        MR_ASSIGN_OR_RETURN(
            uint64_t length,
            Number(p.value.substr(dot + 1), UINT32_MAX, true));
        url.partial_length = length;
      }
      last = Order::kPartial;
    } else {
      return Invalid("unknown URL parameter");
    }
  }
  if (has_mailbox && !url.uid) return Invalid("no message UID");
  return url;
}

}  // namespace mailroom::imap
