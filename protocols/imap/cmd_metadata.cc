// GETMETADATA and SETMETADATA (RFC 5464), answered by the store, which
// checks names, rights and limits. Mailbox "" names the server.
//
// The store's kInvalidArgument for an entry name becomes BAD (section
// 3.2); its "METADATA <code>: text" errors become NO with that response
// code (section 4.3).
#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

// value = nstring / literal8: a literal8 only when the bytes hold NUL.
std::string MetadataValueOf(const std::string& value) {
  if (value.find('\0') != std::string::npos) {
    return absl::StrCat("~", LiteralOf(value));
  }
  return QuoteString(value);
}

std::string MetadataResponse(const absl::Status& status) {
  const std::string_view msg(status.message().data(),
                            status.message().size());
  if (msg.starts_with("METADATA ")) {
    const size_t colon = msg.find(':');
    const std::string_view code = msg.substr(0, colon);
    const std::string_view text =
        colon == std::string_view::npos ? "Annotation refused"
                                        : msg.substr(colon + 2);
    return absl::StrCat("NO [", AbslView(code), "] ", AbslView(text));
  }
  if (status.code() == absl::StatusCode::kInvalidArgument &&
      msg.starts_with("invalid annotation entry")) {
    return absl::StrCat("BAD ", AbslView(msg));
  }
  return ResponseForStatus(status);
}

}  // namespace

absl::StatusOr<std::string> Session::DecodeMetadataMailbox(
    std::string_view wire) const {
  if (wire.empty()) return std::string();
  return DecodeMailbox(wire);
}

Task<std::string> Session::HandleGetMetadata(Command& c) {
  absl::StatusOr<std::string> name = DecodeMetadataMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  store::MetadataQuery query;
  query.entries = c.metadata.entries;
  query.depth = c.metadata.depth;
  query.max_size = c.metadata.max_size;
  absl::StatusOr<store::MetadataResult> result = co_await plugin::Blocking(
      conn_, [&] { return store_.GetMetadata(principal_, *name, query); });
  if (!result.ok()) co_return MetadataResponse(result.status());
  if (!result->entries.empty()) {
    std::string line = absl::StrCat(
        "METADATA ", name->empty() ? "\"\"" : EncodeMailbox(*name), " (");
    bool first = true;
    for (const store::MetadataEntry& e : result->entries) {
      if (!first) line.push_back(' ');
      first = false;
      absl::StrAppend(&line, AStringOf(e.name), " ",
                      MetadataValueOf(e.value.value_or("")));
    }
    line.push_back(')');
    Untagged(line);
  }
  if (result->longest_omitted > 0) {
    co_return absl::StrCat("OK [METADATA LONGENTRIES ",
                           result->longest_omitted,
                           "] GETMETADATA completed");
  }
  co_return "OK GETMETADATA completed";
}

Task<std::string> Session::HandleSetMetadata(Command& c) {
  absl::StatusOr<std::string> name = DecodeMetadataMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  const absl::Status s = co_await plugin::Blocking(conn_, [&] {
    return store_.SetMetadata(principal_, *name, c.metadata.values);
  });
  if (!s.ok()) co_return MetadataResponse(s);
  co_return "OK SETMETADATA completed";
}

}  // namespace mailroom::imap
