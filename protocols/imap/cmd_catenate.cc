// CATENATE (RFC 4469): APPEND builds each message from literals and IMAP
// URLs (RFC 5092) naming messages or parts already on this server, so a
// client forwards an attachment without downloading it.
//
// Every URL is read with the caller's rights through the store (which
// requires `r` on the source mailbox), as BODY.PEEK would: \Seen is not set.
// A mailbox the user may not read answers exactly like a missing one:
// [BADURL url]. Sizes are checked before a part's bytes are read, and every
// message of the command is assembled before the store sees any of them,
// so a failing part leaves nothing stored.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mime/imap.h"
#include "protocols/imap/imap_url.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

// url-resp-text is TEXT-CHAR except "]": those bytes are percent-encoded
// (which names the same URL) so the response code stays well formed.
std::string BadUrlResponse(std::string_view url) {
  std::string text;
  for (char c : url) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == ']' || u < 0x20 || u == 0x7f || u == 0xff) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      text += '%';
      text += kHex[u >> 4];
      text += kHex[u & 0xf];
    } else {
      text += c;
    }
  }
  if (text.empty()) text = "%20";
  return absl::StrCat("NO [BADURL ", text, "] Cannot fetch that URL");
}

std::string TooBig(uint64_t limit) {
  return absl::StrCat("NO [TOOBIG] Catenated message exceeds the limit of ",
                      limit, " bytes");
}

// The outcome of reading one URL part.
struct UrlRead {
  enum class Kind { kOk, kBadUrl, kTooBig, kStoreError } kind = Kind::kOk;
  absl::Status status;  // kStoreError: a temporary store failure
};

// A store failure that is about the URL (missing, not readable, expunged,
// bad section) rather than the server.
bool IsUrlError(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

// Applies ";PARTIAL=offset[.length]" to a section's span.
mime::Span Narrow(mime::Span span, const ImapUrl& url) {
  if (!url.partial_offset) return span;
  const uint64_t offset = *url.partial_offset;
  if (offset >= span.size) return {span.end(), 0};
  uint64_t size = span.size - offset;
  if (url.partial_length) size = std::min(size, *url.partial_length);
  return {span.offset + offset, size};
}

}  // namespace

Task<std::string> Session::AssembleCatenated(Command& c) {
  // Sizes: each message at most max_literal_bytes (APPENDLIMIT), all of
  // them together at most max_append_bytes.
  uint64_t command_bytes = 0;
  for (const AppendMessage& m : c.append) {
    if (m.catenate.empty()) command_bytes += m.data.size();
  }
  for (AppendMessage& m : c.append) {
    if (m.catenate.empty()) continue;
    std::string data;
    bool from_urls = false;
    auto limit = [&] {
      const uint64_t left = config_.max_append_bytes > command_bytes
                                ? config_.max_append_bytes - command_bytes
                                : 0;
      return std::min<uint64_t>(config_.max_literal_bytes, left);
    };
    for (const CatenatePart& part : m.catenate) {
      if (!part.url) {
        if (part.text.find('\0') != std::string::npos) {
          co_return "NO [CANNOT] NUL bytes in a CATENATE literal";
        }
        if (data.size() + part.text.size() > limit()) {
          co_return TooBig(limit());
        }
        data += part.text;
        continue;
      }
      from_urls = true;
      absl::StatusOr<ImapUrl> url = ParseImapUrl(part.text);
      if (!url.ok()) co_return BadUrlResponse(part.text);
      // Only this server and this user (RFC 4469 section 3); the host is
      // the name the server greets with.
      if (url->has_server &&
          (!url->user || *url->user != principal_.user() ||
           !EqualsNoCase(url->host, config_.hostname))) {
        co_return BadUrlResponse(part.text);
      }
      std::string mailbox;
      std::optional<uint32_t> uidvalidity = url->uidvalidity;
      if (url->mailbox) {
        mailbox = *url->mailbox;
        if (mailbox.size() >= 5 &&
            EqualsNoCase(std::string_view(mailbox).substr(0, 5), "INBOX") &&
            (mailbox.size() == 5 || mailbox[5] == store::kDelimiter)) {
          mailbox.replace(0, 5, "INBOX");
        }
      } else if (view_) {
        // Relative to the selected mailbox (the base URL of section 3).
        mailbox = view_->name();
      } else {
        co_return BadUrlResponse(part.text);
      }
      if (!url->uid) co_return BadUrlResponse(part.text);
      absl::StatusOr<mime::SectionSpec> spec =
          mime::ParseSectionSpec(url->section.value_or(""));
      if (!spec.ok()) co_return BadUrlResponse(part.text);

      const uint64_t room = limit() - std::min<uint64_t>(limit(), data.size());
      UrlRead read = co_await plugin::Blocking(conn_, [&]() -> UrlRead {
        UrlRead r;
        auto fail = [&](const absl::Status& s) {
          r.kind = IsUrlError(s) ? UrlRead::Kind::kBadUrl
                                 : UrlRead::Kind::kStoreError;
          r.status = s;
          return r;
        };
        // `r` on the source mailbox is checked by the store here and on
        // every read below.
        absl::StatusOr<store::MailboxStatus> status =
            store_.GetStatus(principal_, mailbox);
        if (!status.ok()) return fail(status.status());
        if (uidvalidity && *uidvalidity != status->uidvalidity) {
          r.kind = UrlRead::Kind::kBadUrl;
          return r;
        }
        const store::Uid uid = *url->uid;
        absl::StatusOr<std::shared_ptr<const mime::Message>> structure =
            store_.GetStructure(principal_, status->id, uid);
        if (!structure.ok()) return fail(structure.status());
        absl::StatusOr<mime::Span> span =
            mime::SectionSpan(**structure, *spec);
        if (span.ok()) {
          const mime::Span want = Narrow(*span, *url);
          if (want.size > room) {
            r.kind = UrlRead::Kind::kTooBig;
            return r;
          }
          if (want.size == 0) return r;
          absl::StatusOr<std::string> bytes = store_.ReadMessageRange(
              principal_, status->id, uid, want.offset, want.size);
          if (!bytes.ok()) return fail(bytes.status());
          data += *bytes;
          return r;
        }
        if (span.status().code() != absl::StatusCode::kInvalidArgument ||
            (spec->text != mime::SectionSpec::Text::kHeaderFields &&
             spec->text != mime::SectionSpec::Text::kHeaderFieldsNot)) {
          return fail(span.status());
        }
        // HEADER.FIELDS[.NOT] is not one span: select from the header,
        // which is never larger than the message.
        absl::StatusOr<std::shared_ptr<const std::string>> raw =
            store_.ReadMessage(principal_, status->id, uid);
        if (!raw.ok()) return fail(raw.status());
        absl::StatusOr<std::string> section =
            mime::FetchSection(**structure, **raw, *spec);
        if (!section.ok()) return fail(section.status());
        const mime::Span want =
            Narrow(mime::Span{0, section->size()}, *url);
        if (want.size > room) {
          r.kind = UrlRead::Kind::kTooBig;
          return r;
        }
        data.append(*section, want.offset, want.size);
        return r;
      });
      switch (read.kind) {
        case UrlRead::Kind::kOk:
          break;
        case UrlRead::Kind::kBadUrl:
          co_return BadUrlResponse(part.text);
        case UrlRead::Kind::kTooBig:
          co_return TooBig(limit());
        case UrlRead::Kind::kStoreError:
          co_return ResponseForStatus(read.status);
      }
    }
    command_bytes += data.size();
    m.data = std::move(data);
    // Bytes copied from stored messages may hold NUL when those were
    // appended as literal8; the literals were checked above.
    if (from_urls) m.binary = true;
    m.catenate.clear();
  }
  co_return "";
}

}  // namespace mailroom::imap
