#include "migrate/migration.h"

#include "absl/strings/str_cat.h"

namespace mailroom::migrate {

uint64_t MigrationReport::copied() const {
  uint64_t n = 0;
  for (const FolderReport& f : folders) n += f.copied;
  return n;
}

uint64_t MigrationReport::bytes() const {
  uint64_t n = 0;
  for (const FolderReport& f : folders) n += f.bytes;
  return n;
}

uint64_t MigrationReport::failed() const {
  uint64_t n = 0;
  for (const FolderReport& f : folders) n += f.failed;
  return n;
}

nlohmann::json MigrationReport::ToJson() const {
  nlohmann::json folders_json = nlohmann::json::array();
  for (const FolderReport& f : folders) {
    folders_json.push_back({{"source", f.source},
                            {"local", f.local},
                            {"copied", f.copied},
                            {"bytes", f.bytes},
                            {"present", f.present},
                            {"flags_updated", f.flags_updated},
                            {"expunged", f.expunged},
                            {"failed", f.failed},
                            {"deleted_on_source", f.deleted_on_source},
                            {"uids_kept", f.uids_kept},
                            {"notes", f.notes}});
  }
  return {{"folders", folders_json},
          {"copied", copied()},
          {"bytes", bytes()},
          {"failed", failed()},
          {"notes", notes}};
}

std::string MigrationReport::ToText() const {
  std::string out;
  for (const FolderReport& f : folders) {
    absl::StrAppend(&out, f.local, ": copied ", f.copied, ", present ",
                    f.present, ", flags updated ", f.flags_updated,
                    ", expunged ", f.expunged);
    if (f.deleted_on_source) {
      absl::StrAppend(&out, ", deleted on source ", f.deleted_on_source);
    }
    if (f.failed) absl::StrAppend(&out, ", FAILED ", f.failed);
    if (f.uids_kept) absl::StrAppend(&out, " (UIDs kept)");
    absl::StrAppend(&out, "\n");
    for (const std::string& n : f.notes) absl::StrAppend(&out, "  note: ", n, "\n");
  }
  for (const std::string& n : notes) absl::StrAppend(&out, "note: ", n, "\n");
  absl::StrAppend(&out, "total: copied ", copied(), " message(s), ", bytes(),
                  " bytes\n");
  return out;
}

}  // namespace mailroom::migrate
