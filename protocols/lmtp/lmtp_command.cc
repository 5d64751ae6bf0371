#include "protocols/lmtp/lmtp_command.h"

#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace mailroom::lmtp {
namespace {

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (absl::ascii_toupper(static_cast<unsigned char>(text[i])) !=
        absl::ascii_toupper(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return out;
}

std::string ToUpperAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = absl::ascii_toupper(static_cast<unsigned char>(c));
  return out;
}

void SkipSpaces(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
}

// Index of the '>' closing a path that starts after '<', honouring quoted
// strings; npos if none.
size_t FindPathEnd(std::string_view text) {
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

// Index of the '@' separating local part and domain (outside quotes).
size_t FindDomainAt(std::string_view address) {
  bool quoted = false;
  size_t at = std::string_view::npos;
  for (size_t i = 0; i < address.size(); ++i) {
    char c = address[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '@') {
      at = i;
    }
  }
  return at;
}

bool ValidAddressBytes(std::string_view address) {
  bool quoted = false;
  for (size_t i = 0; i < address.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(address[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && (c == ' ' || c == '<' || c == '>')) {
      return false;
    }
  }
  return !quoted;
}

}  // namespace

Command ParseCommand(std::string_view line) {
  Command command;
  size_t space = line.find(' ');
  command.verb = ToUpperAscii(line.substr(0, space));
  if (space != std::string_view::npos) {
    command.rest = std::string(line.substr(space + 1));
  }
  return command;
}

absl::StatusOr<PathArgument> ParsePathArgument(std::string_view text,
                                               std::string_view keyword) {
  SkipSpaces(text);
  if (!StartsWithIgnoreCase(text, keyword) ||
      text.substr(keyword.size(), 1) != ":") {
    return absl::InvalidArgumentError("Syntax error in path");
  }
  text.remove_prefix(keyword.size() + 1);
  SkipSpaces(text);
  PathArgument result;
  std::string_view path;
  if (!text.empty() && text.front() == '<') {
    size_t end = FindPathEnd(text.substr(1));
    if (end == std::string_view::npos) {
      return absl::InvalidArgumentError("Unterminated path");
    }
    path = text.substr(1, end);
    text.remove_prefix(end + 2);
  } else {
    // Tolerated: a bare address without brackets.
    size_t end = text.find(' ');
    path = text.substr(0, end);
    text.remove_prefix(path.size());
    if (path.empty()) return absl::InvalidArgumentError("Missing path");
  }
  // RFC 5321 source routes ("@a,@b:user@c") are ignored.
  if (!path.empty() && path.front() == '@') {
    size_t colon = path.find(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError("Bad source route");
    }
    path.remove_prefix(colon + 1);
  }
  if (!ValidAddressBytes(path)) {
    return absl::InvalidArgumentError("Bad address");
  }
  result.address = std::string(path);

  if (!text.empty() && text.front() != ' ') {
    return absl::InvalidArgumentError("Garbage after path");
  }
  while (true) {
    SkipSpaces(text);
    if (text.empty()) break;
    size_t end = text.find(' ');
    std::string_view param = text.substr(0, end);
    text.remove_prefix(param.size());
    size_t eq = param.find('=');
    std::string key = ToUpperAscii(param.substr(0, eq));
    if (key.empty()) return absl::InvalidArgumentError("Bad parameter");
    result.params.emplace_back(
        key, eq == std::string_view::npos ? std::string()
                                          : std::string(param.substr(eq + 1)));
  }
  return result;
}

absl::StatusOr<MailParams> ParseMailParams(
    const std::vector<std::pair<std::string, std::string>>& params) {
  MailParams result;
  for (const auto& [key, value] : params) {
    if (key == "SIZE") {
      uint64_t size = 0;
      if (value.empty() || value.size() > 20 ||
          !absl::SimpleAtoi(value, &size)) {
        return absl::InvalidArgumentError("Bad SIZE value");
      }
      result.size = size;
    } else if (key == "BODY") {
      std::string body = ToUpperAscii(value);
      if (body == "7BIT") {
        result.body = BodyType::k7Bit;
      } else if (body == "8BITMIME") {
        result.body = BodyType::k8BitMime;
      } else if (body == "BINARYMIME") {
        result.body = BodyType::kBinaryMime;
      } else {
        return absl::InvalidArgumentError("Bad BODY value");
      }
    } else if (key == "SMTPUTF8") {
      if (!value.empty()) {
        return absl::InvalidArgumentError("SMTPUTF8 takes no value");
      }
      result.smtputf8 = true;
    } else {
      return absl::UnimplementedError("Unsupported parameter " + key);
    }
  }
  return result;
}

absl::StatusOr<Recipient> SplitRecipient(std::string_view address) {
  size_t at = FindDomainAt(address);
  std::string_view local = address.substr(0, at);
  Recipient recipient;
  if (at != std::string_view::npos) {
    recipient.domain = ToLowerAscii(address.substr(at + 1));
    if (recipient.domain.empty()) {
      return absl::InvalidArgumentError("Empty domain");
    }
  }
  std::string unquoted;
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    for (size_t i = 1; i + 1 < local.size(); ++i) {
      if (local[i] == '\\' && i + 2 < local.size()) ++i;
      unquoted.push_back(local[i]);
    }
  } else {
    if (local.find('"') != std::string_view::npos) {
      return absl::InvalidArgumentError("Bad local part");
    }
    unquoted = std::string(local);
  }
  size_t plus = unquoted.find('+');
  recipient.user = ToLowerAscii(unquoted.substr(0, plus));
  if (plus != std::string::npos) recipient.detail = unquoted.substr(plus + 1);
  if (recipient.user.empty()) {
    return absl::InvalidArgumentError("Empty local part");
  }
  return recipient;
}

bool IsLocalDomain(std::string_view domain,
                   const std::vector<std::string>& local_domains) {
  if (domain.empty()) return true;
  std::string lower = ToLowerAscii(domain);
  for (const std::string& local : local_domains) {
    if (ToLowerAscii(local) == lower) return true;
  }
  return false;
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace mailroom::lmtp
