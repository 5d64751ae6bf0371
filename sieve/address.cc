#include "sieve/address.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

#include "sieve/text.h"

namespace mailroom::sieve {
namespace {

// `s` without comments and without white space outside quoted strings.
std::string StripCommentsAndSpace(std::string_view s) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      out.push_back(c);
      if (c == '\\' && i + 1 < s.size()) out.push_back(s[++i]);
      else if (c == '"') quoted = false;
    } else if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
    } else if (c == '(') {
      depth = 1;
    } else if (c == '"') {
      quoted = true;
      out.push_back(c);
    } else if (!absl::ascii_isspace(c)) {
      out.push_back(c);
    }
  }
  return out;
}

std::string Unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

// One mailbox of a list: the part in angle brackets if any, else the whole.
Address ParseMailbox(std::string_view item) {
  int depth = 0;
  bool quoted = false;
  size_t open = std::string_view::npos;
  for (size_t i = 0; i < item.size(); ++i) {
    const char c = item[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (depth > 0) {
      if (c == '(') ++depth;
      else if (c == ')') --depth;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      depth = 1;
    } else if (c == '<') {
      open = i;
    } else if (c == '>' && open != std::string_view::npos) {
      return ParseAddrSpec(item.substr(open + 1, i - open - 1));
    }
  }
  return ParseAddrSpec(item);
}

}  // namespace

Address ParseAddrSpec(std::string_view spec) {
  std::string s = StripCommentsAndSpace(spec);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  // An obsolete route ("@a,@b:") is not part of the address.
  if (!s.empty() && s[0] == '@') {
    const size_t colon = s.find(':');
    if (colon != std::string::npos) s.erase(0, colon + 1);
  }
  Address a;
  a.all = s;
  bool quoted = false;
  size_t at = std::string::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') ++i;
    else if (s[i] == '"') quoted = !quoted;
    else if (!quoted && s[i] == '@') at = i;
  }
  if (at != std::string::npos && at > 0 && at + 1 < s.size()) {
    a.localpart = Unquote(std::string_view(s).substr(0, at));
    a.domain = s.substr(at + 1);
    a.has_domain = true;
  } else {
    a.localpart = Unquote(s);
  }
  return a;
}

std::vector<Address> ParseAddressList(std::string_view value) {
  std::vector<Address> out;
  int depth = 0, angle = 0;
  bool quoted = false;
  size_t start = 0;
  auto flush = [&](size_t end) {
    const std::string_view item = value.substr(start, end - start);
    if (!StripCommentsAndSpace(item).empty()) out.push_back(ParseMailbox(item));
    start = end + 1;
  };
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
    } else if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      depth = 1;
    } else if (c == '<') {
      ++angle;
    } else if (c == '>') {
      if (angle > 0) --angle;
    } else if (angle == 0 && (c == ',' || c == ';')) {
      flush(i);
    } else if (angle == 0 && c == ':') {
      start = i + 1;  // a group's display name
    }
  }
  flush(value.size());
  return out;
}

std::optional<std::string> PartOf(const Address& a, AddressPart part,
                                  std::string_view separators) {
  switch (part) {
    case AddressPart::kAll:
      return a.all;
    case AddressPart::kLocalpart:
      if (!a.has_domain) return std::nullopt;
      return a.localpart;
    case AddressPart::kDomain:
      if (!a.has_domain) return std::nullopt;
      return a.domain;
    case AddressPart::kUser:
    case AddressPart::kDetail: {
      if (!a.has_domain) return std::nullopt;
      const size_t sep = a.localpart.find_first_of(separators);
      if (part == AddressPart::kUser) return a.localpart.substr(0, sep);
      if (sep == std::string::npos) return std::nullopt;
      return a.localpart.substr(sep + 1);
    }
  }
  return std::nullopt;
}

}  // namespace mailroom::sieve
