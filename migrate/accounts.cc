#include "migrate/accounts.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mailroom::migrate {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read password file " + path);
  std::string password;
  std::getline(in, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    return absl::InvalidArgumentError("empty password file " + path);
  }
  return password;
}

absl::StatusOr<std::vector<Account>> ReadUsersFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read users file " + path);
  const fs::path base = fs::path(path).parent_path();
  std::vector<Account> accounts;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> fields =
        absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 3) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", number,
          ": expected LOCAL_USER REMOTE_USER PASSWORD_FILE"));
    }
    fs::path password_file(fields[2]);
    if (password_file.is_relative()) password_file = base / password_file;
    absl::StatusOr<std::string> password =
        ReadPasswordFile(password_file.string());
    if (!password.ok()) {
      return absl::Status(password.status().code(),
                          absl::StrCat(path, ":", number, ": ",
                                       password.status().message()));
    }
    accounts.push_back({fields[0], fields[1], *password});
  }
  if (accounts.empty()) {
    return absl::InvalidArgumentError("no accounts in " + path);
  }
  return accounts;
}

nlohmann::json AccountsToJson(const std::vector<Account>& accounts) {
  nlohmann::json out = nlohmann::json::array();
  for (const Account& a : accounts) {
    out.push_back({{"local", a.local_user},
                   {"remote", a.remote_user},
                   {"password", a.password}});
  }
  return out;
}

absl::StatusOr<std::vector<Account>> AccountsFromJson(absl::string_view text) {
  std::vector<Account> accounts;
  try {
    for (const nlohmann::json& j : nlohmann::json::parse(text)) {
      accounts.push_back({j.at("local").get<std::string>(),
                          j.at("remote").get<std::string>(),
                          j.at("password").get<std::string>()});
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("bad account list: ", e.what()));
  }
  return accounts;
}

std::vector<AccountResult> RunAccounts(
    const std::vector<Account>& accounts, int parallel,
    const std::function<absl::StatusOr<MigrationReport>(const Account&)>&
        migrate_one,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  std::vector<AccountResult> results(accounts.size());
  std::atomic<size_t> next{0};
  std::mutex mutex;
  uint64_t done = 0;
  if (progress) progress(0, accounts.size());
  auto worker = [&]() {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= accounts.size()) return;
      AccountResult& result = results[i];
      result.account = accounts[i];
      absl::StatusOr<MigrationReport> report = migrate_one(accounts[i]);
      if (report.ok()) {
        result.report = *std::move(report);
        result.ok = result.report.failed() == 0;
        if (!result.ok) {
          result.error = absl::StrCat(result.report.failed(),
                                      " message(s) or folder(s) failed");
        }
      } else {
        result.error = std::string(report.status().message());
      }
      std::lock_guard<std::mutex> lock(mutex);
      ++done;
      if (progress) progress(done, accounts.size());
    }
  };
  const int threads =
      std::max(1, std::min<int>(parallel, static_cast<int>(accounts.size())));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  return results;
}

}  // namespace mailroom::migrate
