#include "protocols/lmtp/outbound_mail.h"

#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mime/header.h"
#include "mime/message.h"

namespace mailroom::lmtp {
namespace {

absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// CRLF line ends everywhere (script text may use bare LF).
std::string ToCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\r') {
      out.append("\r\n");
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out.append("\r\n");
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && !absl::EndsWith(out, "\r\n")) out.append("\r\n");
  return out;
}

// Header text from a script or a received header: one line, no controls.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  }
  return out;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// An unstructured header value: as is when ASCII, else one RFC 2047
// B-encoded UTF-8 word per piece of at most 45 bytes (cut at a UTF-8
// character boundary), so lines stay short.
std::string EncodeUnstructured(std::string_view value) {
  std::string line = OneLine(value);
  if (IsAscii(line)) return line;
  std::string out;
  size_t i = 0;
  while (i < line.size()) {
    size_t n = std::min<size_t>(45, line.size() - i);
    while (i + n < line.size() &&
           (static_cast<unsigned char>(line[i + n]) & 0xc0) == 0x80) {
      --n;
    }
    if (!out.empty()) out.append("\r\n ");
    absl::StrAppend(&out, "=?UTF-8?B?",
                    absl::Base64Escape(AsAbsl(line.substr(i, n))), "?=");
    i += n;
  }
  return out;
}

std::string RandomToken() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  return absl::StrCat(absl::Hex(rng(), absl::kZeroPad16));
}

}  // namespace

bool RedirectWouldLoop(std::string_view message, std::string_view recipient) {
  mime::Message parsed = mime::Parse(message);
  int hops = 0;
  for (const mime::HeaderField& field :
       mime::SplitHeader(message, parsed.root.header)) {
    if (!mime::EqualsIgnoreCase(field.name, kRedirectLoopHeader)) continue;
    if (++hops >= kMaxRedirectHops) return true;
    std::string by = mime::Unfold(field.value);
    if (absl::EqualsIgnoreCase(AsAbsl(by), AsAbsl(recipient))) return true;
  }
  return false;
}

store::OutboundMessage ComposeRedirect(std::string_view message,
                                       std::string_view envelope_from,
                                       std::string_view recipient,
                                       std::string_view to) {
  store::OutboundMessage out;
  out.envelope_from = std::string(envelope_from);
  out.recipients.push_back(std::string(to));
  out.reason = absl::StrCat("redirect by ", AsAbsl(recipient), " to ",
                            AsAbsl(to));
  std::string_view rest = message;
  if (absl::StartsWithIgnoreCase(AsAbsl(rest), "Return-Path:")) {
    size_t end = rest.find('\n');
    rest = end == std::string_view::npos ? std::string_view()
                                         : rest.substr(end + 1);
  }
  out.data = absl::StrCat(kRedirectLoopHeader, ": ", OneLine(recipient),
                          "\r\n", AsAbsl(rest));
  return out;
}

store::OutboundMessage ComposeVacationReply(const sieve::VacationReply& reply,
                                            std::string_view hostname,
                                            absl::Time now) {
  store::OutboundMessage out;
  out.envelope_from = "";  // RFC 5230 section 5.1: the null reverse-path
  out.recipients.push_back(reply.to);
  out.reason = absl::StrCat("vacation reply to ", reply.to);
  std::string& d = out.data;
  absl::StrAppend(&d, "From: ", EncodeUnstructured(reply.from), "\r\n");
  absl::StrAppend(&d, "To: <", OneLine(reply.to), ">\r\n");
  absl::StrAppend(&d, "Subject: ", EncodeUnstructured(reply.subject), "\r\n");
  absl::StrAppend(&d, "Date: ",
                  absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", now,
                                   absl::UTCTimeZone()),
                  "\r\n");
  absl::StrAppend(&d, "Message-ID: <", RandomToken(), ".vacation@",
                  OneLine(hostname), ">\r\n");
  if (!reply.in_reply_to.empty()) {
    absl::StrAppend(&d, "In-Reply-To: ", OneLine(reply.in_reply_to), "\r\n");
  }
  if (!reply.references.empty()) {
    absl::StrAppend(&d, "References: ", OneLine(reply.references), "\r\n");
  }
  for (const auto& [name, value] : reply.extra_headers) {
    absl::StrAppend(&d, OneLine(name), ": ", OneLine(value), "\r\n");
  }
  d.append("MIME-Version: 1.0\r\n");
  if (reply.mime) {
    // The reason is a MIME entity: its header block follows ours.
    d.append(ToCrlf(reply.body));
  } else {
    d.append(
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n");
    d.append(ToCrlf(reply.body));
  }
  return out;
}

}  // namespace mailroom::lmtp
