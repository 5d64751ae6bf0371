#include "protocols/imap/response.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "protocols/imap/lexer.h"
#include "protocols/imap/strings.h"
#include "store/no_space.h"

namespace mailroom::imap {
namespace {

// Quoted strings longer than this are sent as literals; some clients have
// small line buffers.
constexpr size_t kMaxQuoted = 1024;

}  // namespace

std::string QuoteString(std::string_view s, bool utf8) {
  bool literal = s.size() > kMaxQuoted;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\0' || (u >= 0x80 && !utf8)) {
      literal = true;
      break;
    }
  }
  if (literal) return LiteralOf(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string AStringOf(std::string_view s, bool utf8) {
  bool atom = !s.empty() && !EqualsNoCase(s, "NIL");
  for (char c : s) {
    if (!IsAStringChar(c) || static_cast<unsigned char>(c) >= 0x80) {
      atom = false;
      break;
    }
  }
  return atom ? std::string(s) : QuoteString(s, utf8);
}

std::string NStringOf(const std::optional<std::string>& s, bool utf8) {
  return s ? QuoteString(*s, utf8) : "NIL";
}

std::string LiteralOf(std::string_view s) {
  std::string out = absl::StrCat("{", s.size(), "}\r\n");
  out.append(s.data(), s.size());
  return out;
}

std::vector<std::string> SystemFlagNames(uint32_t bits) {
  std::vector<std::string> out;
  if (bits & store::kAnswered) out.push_back("\\Answered");
  if (bits & store::kFlagged) out.push_back("\\Flagged");
  if (bits & store::kDeleted) out.push_back("\\Deleted");
  if (bits & store::kSeen) out.push_back("\\Seen");
  if (bits & store::kDraft) out.push_back("\\Draft");
  return out;
}

std::string FlagListOf(const store::Flags& flags, bool recent) {
  std::string out = "(";
  bool first = true;
  for (const auto& f : SystemFlagNames(flags.system)) {
    if (!first) out.push_back(' ');
    out += f;
    first = false;
  }
  if (recent) {
    if (!first) out.push_back(' ');
    out += "\\Recent";
    first = false;
  }
  for (const auto& k : flags.keywords) {
    if (!first) out.push_back(' ');
    out += k;
    first = false;
  }
  out.push_back(')');
  return out;
}

absl::StatusOr<store::Flags> FlagsFromStrings(
    const std::vector<std::string>& flags) {
  store::Flags out;
  for (const auto& f : flags) {
    if (!f.empty() && f[0] == '\\') {
      const std::string name = AsciiLower(f);
      if (name == "\\seen") {
        out.system |= store::kSeen;
      } else if (name == "\\answered") {
        out.system |= store::kAnswered;
      } else if (name == "\\flagged") {
        out.system |= store::kFlagged;
      } else if (name == "\\deleted") {
        out.system |= store::kDeleted;
      } else if (name == "\\draft") {
        out.system |= store::kDraft;
      } else if (name == "\\recent") {
        continue;
      } else {
        return absl::InvalidArgumentError("unknown system flag");
      }
      continue;
    }
    bool dup = false;
    for (const auto& k : out.keywords) dup = dup || EqualsNoCase(k, f);
    if (!dup) out.keywords.push_back(f);
  }
  std::sort(out.keywords.begin(), out.keywords.end());
  return out;
}

std::string InternalDateOf(int64_t unix_seconds, int32_t tz_minutes) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  const absl::CivilSecond cs = absl::ToCivilSecond(
      absl::FromUnixSeconds(unix_seconds + int64_t{tz_minutes} * 60),
      absl::UTCTimeZone());
  const int32_t tz = tz_minutes < 0 ? -tz_minutes : tz_minutes;
  char buf[64];
  snprintf(buf, sizeof(buf), "\"%02d-%s-%04d %02d:%02d:%02d %c%02d%02d\"",
           cs.day(), kMonths[cs.month() - 1], static_cast<int>(cs.year()),
           cs.hour(), cs.minute(), cs.second(), tz_minutes < 0 ? '-' : '+',
           tz / 60, tz % 60);
  return buf;
}

std::string ResponseForStatus(const absl::Status& status,
                              ErrorContext context) {
  const std::string msg(status.message());
  auto text = [&](std::string_view fallback) {
    return msg.empty() ? std::string(fallback) : msg;
  };
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return "OK Completed";
    case absl::StatusCode::kNotFound:
      if (context == ErrorContext::kTargetMailbox) {
        return absl::StrCat("NO [TRYCREATE] ", text("No such mailbox"));
      }
      return absl::StrCat("NO [NONEXISTENT] ", text("No such mailbox"));
    case absl::StatusCode::kAlreadyExists:
      return absl::StrCat("NO [ALREADYEXISTS] ", text("Mailbox already exists"));
    case absl::StatusCode::kPermissionDenied:
      return absl::StrCat("NO [NOPERM] ", text("Permission denied"));
    case absl::StatusCode::kResourceExhausted:
      // RFC 5530 has no code for a full disk; LIMIT with a text that says
      // it is the server's and temporary (the detail stays in the log).
      if (store::IsNoSpace(status)) {
        return "NO [LIMIT] Server storage is full, try again later";
      }
      if (msg.rfind("OVERQUOTA", 0) == 0) {
        return absl::StrCat("NO [OVERQUOTA] ", msg);
      }
      return absl::StrCat("NO [LIMIT] ", text("Limit exceeded"));
    case absl::StatusCode::kInvalidArgument:
      return absl::StrCat("NO [CANNOT] ", text("Invalid argument"));
    case absl::StatusCode::kFailedPrecondition:
      if (msg.rfind("IN-USE", 0) == 0 || msg.rfind("INUSE", 0) == 0) {
        return absl::StrCat("NO [INUSE] ", msg);
      }
      return absl::StrCat("NO [CANNOT] ", text("Not possible now"));
    case absl::StatusCode::kAborted:
      return absl::StrCat("NO [INUSE] ", text("Conflict, try again"));
    case absl::StatusCode::kUnavailable:
      return "NO [UNAVAILABLE] Temporary storage failure, try again";
    default:
      return "NO [SERVERBUG] Internal error";
  }
}

}  // namespace mailroom::imap
