#include "server/admin/metadata_transfer.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "mailio/private_files.h"
#include "nlohmann/json.hpp"

namespace mailroom::server::admin {
namespace {

constexpr int kFormat = 1;

// Every entry `who` sees on `mailbox` under the given scopes.
absl::StatusOr<std::vector<store::MetadataEntry>> EntriesOf(
    store::Store& store, const store::Principal& who,
    const std::string& mailbox, std::vector<std::string> scopes) {
  store::MetadataQuery query;
  query.entries = std::move(scopes);
  query.depth = store::MetadataDepth::kInfinity;
  absl::StatusOr<store::MetadataResult> result =
      store.GetMetadata(who, mailbox, query);
  if (!result.ok()) return result.status();
  return std::move(result->entries);
}

}  // namespace

absl::StatusOr<uint64_t> ExportMetadata(store::Store& store,
                                        const store::Principal& who,
                                        const std::vector<std::string>& mailboxes,
                                        const std::string& dir) {
  nlohmann::json entries = nlohmann::json::array();
  auto add = [&](const std::string& mailbox,
                 const std::vector<store::MetadataEntry>& found) {
    for (const store::MetadataEntry& e : found) {
      if (!e.value.has_value()) continue;
      entries.push_back({{"mailbox", mailbox},
                         {"entry", e.name},
                         {"value_base64", absl::Base64Escape(*e.value)}});
    }
  };
  // The server's /shared entries are no account's.
  absl::StatusOr<std::vector<store::MetadataEntry>> server =
      EntriesOf(store, who, "", {"/private"});
  if (!server.ok()) return server.status();
  add("", *server);
  for (const std::string& mailbox : mailboxes) {
    absl::StatusOr<std::vector<store::MetadataEntry>> found =
        EntriesOf(store, who, mailbox, {"/private", "/shared"});
    if (absl::IsNotFound(found.status())) continue;  // deleted meanwhile
    if (!found.ok()) return found.status();
    add(mailbox, *found);
  }
  if (entries.empty()) return 0;
  const nlohmann::json doc = {{"format", kFormat}, {"entries", entries}};
  absl::Status written = mailio::WritePrivateFile(
      absl::StrCat(dir, "/", kMetadataFileName), doc.dump(1) + "\n");
  if (!written.ok()) return written;
  return entries.size();
}

absl::StatusOr<uint64_t> ImportMetadata(store::Store& store,
                                        const store::Principal& who,
                                        const std::string& dir,
                                        std::vector<std::string>* warnings) {
  const std::string path = absl::StrCat(dir, "/", kMetadataFileName);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return 0;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::UnavailableError(absl::StrCat("cannot read ", path));
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr,
                                                   /*allow_exceptions=*/false);
  auto malformed = [&](const char* why) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", why));
  };
  if (!doc.is_object() || doc.value("format", 0) != kFormat ||
      !doc.contains("entries") || !doc["entries"].is_array()) {
    return malformed("not an annotations file of format 1");
  }
  // One SetMetadata per mailbox: its entries are set together.
  std::map<std::string, std::vector<store::MetadataEntry>> by_mailbox;
  for (const nlohmann::json& e : doc["entries"]) {
    if (!e.is_object() || !e.contains("mailbox") || !e["mailbox"].is_string() ||
        !e.contains("entry") || !e["entry"].is_string() ||
        !e.contains("value_base64") || !e["value_base64"].is_string()) {
      return malformed("an entry lacks mailbox, entry or value_base64");
    }
    std::string value;
    if (!absl::Base64Unescape(e["value_base64"].get<std::string>(), &value)) {
      return malformed("a value is not base64");
    }
    by_mailbox[e["mailbox"].get<std::string>()].push_back(
        {e["entry"].get<std::string>(), std::move(value)});
  }
  uint64_t set = 0;
  for (const auto& [mailbox, entries] : by_mailbox) {
    const absl::Status status = store.SetMetadata(who, mailbox, entries);
    if (!status.ok()) {
      warnings->push_back(absl::StrCat(
          entries.size(), " annotation(s) of ",
          mailbox.empty() ? std::string("the server") : "'" + mailbox + "'",
          " not set: ", status.message()));
      continue;
    }
    set += entries.size();
  }
  return set;
}

}  // namespace mailroom::server::admin
