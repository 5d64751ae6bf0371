#include "mailio/dovecot_sieve.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mailio/private_files.h"

namespace mailroom::mailio {
namespace {

namespace fs = std::filesystem;

constexpr char kScriptDir[] = "sieve";
constexpr char kActiveLink[] = ".dovecot.sieve";
constexpr char kSuffix[] = ".sieve";
// The name a plain-file .dovecot.sieve is kept under.
constexpr char kPlainActiveName[] = "dovecot";

bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() != fs::file_type::not_found &&
         !ec;
}

absl::StatusOr<std::string> ReadSmallFile(const fs::path& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return absl::UnavailableError("cannot read " + path.string());
  if (size > kMaxSieveFileBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path.string(), " is larger than ", kMaxSieveFileBytes,
                     " bytes"));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  if (!in && !in.eof()) {
    return absl::UnavailableError("cannot read " + path.string());
  }
  return data.str();
}

// The home holding the layout for `maildir`, or std::nullopt.
std::optional<fs::path> LayoutHome(const fs::path& maildir) {
  std::vector<fs::path> candidates = {maildir};
  const fs::path normal = maildir.lexically_normal();
  fs::path last = normal.filename();
  if (last.empty()) last = normal.parent_path().filename();
  if (last == "Maildir") {
    candidates.push_back((normal.filename().empty() ? normal.parent_path()
                                                    : normal)
                             .parent_path());
  }
  for (const fs::path& home : candidates) {
    std::error_code ec;
    if (fs::is_directory(home / kScriptDir, ec) ||
        Exists(home / kActiveLink)) {
      return home;
    }
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::optional<SieveScripts>> ReadDovecotSieve(
    const std::string& maildir) {
  std::optional<fs::path> home = LayoutHome(maildir);
  if (!home.has_value()) return std::optional<SieveScripts>();
  SieveScripts out;
  std::error_code ec;
  const fs::path dir = *home / kScriptDir;
  if (fs::is_directory(dir, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
      const std::string file = entry.path().filename().string();
      if (!absl::EndsWith(file, kSuffix) || file.size() == strlen(kSuffix)) {
        continue;  // Dovecot's tmp/, compiled .svbin files, others
      }
      if (!entry.is_regular_file(ec)) continue;
      absl::StatusOr<std::string> source = ReadSmallFile(entry.path());
      if (!source.ok()) {
        out.warnings.push_back(
            absl::StrCat("sieve script skipped: ", source.status().message()));
        continue;
      }
      out.scripts.push_back(
          SieveFile{file.substr(0, file.size() - strlen(kSuffix)),
                    *std::move(source)});
    }
    if (ec) return absl::UnavailableError("cannot list " + dir.string());
  }
  const fs::path link = *home / kActiveLink;
  if (fs::is_symlink(link, ec)) {
    const fs::path target = fs::read_symlink(link, ec);
    const std::string file = target.filename().string();
    std::string name = absl::EndsWith(file, kSuffix)
                           ? file.substr(0, file.size() - strlen(kSuffix))
                           : std::string();
    const bool known =
        std::any_of(out.scripts.begin(), out.scripts.end(),
                    [&](const SieveFile& s) { return s.name == name; });
    if (known) {
      out.active = std::move(name);
    } else {
      out.warnings.push_back(absl::StrCat(
          kActiveLink, " points to ", target.string(),
          ", which is not a script of ", dir.string(), ": none is active"));
    }
  } else if (fs::is_regular_file(link, ec)) {
    absl::StatusOr<std::string> source = ReadSmallFile(link);
    if (source.ok()) {
      out.scripts.erase(
          std::remove_if(out.scripts.begin(), out.scripts.end(),
                         [](const SieveFile& s) {
                           return s.name == kPlainActiveName;
                         }),
          out.scripts.end());
      out.scripts.push_back(SieveFile{kPlainActiveName, *std::move(source)});
      out.active = kPlainActiveName;
    } else {
      out.warnings.push_back(
          absl::StrCat("sieve script skipped: ", source.status().message()));
    }
  }
  std::sort(out.scripts.begin(), out.scripts.end(),
            [](const SieveFile& a, const SieveFile& b) {
              return a.name < b.name;
            });
  return std::optional<SieveScripts>(std::move(out));
}

absl::Status WriteDovecotSieve(const std::string& root,
                               const SieveScripts& scripts) {
  const fs::path dir = fs::path(root) / kScriptDir;
  absl::Status status = MakePrivateDir(dir.string());
  if (!status.ok()) return status;
  for (const SieveFile& script : scripts.scripts) {
    if (script.name.empty() || script.name.find('/') != std::string::npos ||
        script.name.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("script name '", script.name, "' cannot be a file"));
    }
    status = WritePrivateFile((dir / (script.name + kSuffix)).string(),
                              script.source);
    if (!status.ok()) return status;
  }
  if (scripts.active.empty()) return absl::OkStatus();
  std::error_code ec;
  fs::create_symlink(fs::path(kScriptDir) / (scripts.active + kSuffix),
                     fs::path(root) / kActiveLink, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot link ", kActiveLink, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace mailroom::mailio
