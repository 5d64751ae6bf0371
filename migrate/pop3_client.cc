#include "migrate/pop3_client.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mailroom::migrate {
namespace {

absl::StatusOr<std::string> Answer(Connection& connection) {
  absl::StatusOr<std::string> line = connection.ReadLine();
  if (!line.ok()) return line.status();
  if (absl::StartsWith(*line, "+OK")) return line->substr(3);
  return absl::FailedPreconditionError(*line);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Pop3Client>> Pop3Client::Login(
    const Endpoint& endpoint, absl::string_view user,
    absl::string_view password) {
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::Open(endpoint);
  if (!connection.ok()) return connection.status();
  std::unique_ptr<Pop3Client> client(new Pop3Client(*std::move(connection)));
  absl::StatusOr<std::string> greeting = Answer(*client->connection_);
  if (!greeting.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "POP3 server refused the connection: ", greeting.status().message()));
  }
  if (endpoint.tls == TlsMode::kStartTls) {
    absl::StatusOr<std::string> stls = client->Command("STLS");
    if (!stls.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the POP3 server refused STLS: ", stls.status().message()));
    }
    absl::Status status = client->connection_->StartTls();
    if (!status.ok()) return status;
  }
  if (user.find_first_of("\r\n") != absl::string_view::npos ||
      password.find_first_of("\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError("user or password holds a line break");
  }
  absl::StatusOr<std::string> ok = client->Command(absl::StrCat("USER ", user));
  if (ok.ok()) ok = client->Command(absl::StrCat("PASS ", password));
  if (!ok.ok()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "POP3 login as ", user, " failed: ", ok.status().message()));
  }
  return client;
}

absl::StatusOr<std::string> Pop3Client::Command(absl::string_view line) {
  absl::Status status = connection_->Write(absl::StrCat(line, "\r\n"));
  if (!status.ok()) return status;
  return Answer(*connection_);
}

absl::StatusOr<std::vector<std::string>> Pop3Client::MultiLine(
    absl::string_view line) {
  absl::StatusOr<std::string> first = Command(line);
  if (!first.ok()) return first.status();
  std::vector<std::string> lines;
  for (;;) {
    absl::StatusOr<std::string> next = connection_->ReadLine();
    if (!next.ok()) return next.status();
    if (*next == ".") return lines;
    if (absl::StartsWith(*next, ".")) next->erase(0, 1);
    lines.push_back(*std::move(next));
  }
}

absl::StatusOr<std::vector<Pop3Entry>> Pop3Client::List() {
  absl::StatusOr<std::vector<std::string>> uidl = MultiLine("UIDL");
  if (!uidl.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the POP3 server has no UIDL (needed to copy each message once): ",
        uidl.status().message()));
  }
  absl::StatusOr<std::vector<std::string>> list = MultiLine("LIST");
  if (!list.ok()) return list.status();
  std::map<int, uint64_t> sizes;
  for (const std::string& l : *list) {
    std::vector<std::string> f = absl::StrSplit(l, ' ', absl::SkipEmpty());
    int n = 0;
    uint64_t size = 0;
    if (f.size() >= 2 && absl::SimpleAtoi(f[0], &n) &&
        absl::SimpleAtoi(f[1], &size)) {
      sizes[n] = size;
    }
  }
  std::vector<Pop3Entry> entries;
  for (const std::string& l : *uidl) {
    std::vector<std::string> f = absl::StrSplit(l, ' ', absl::SkipEmpty());
    Pop3Entry e;
    if (f.size() < 2 || !absl::SimpleAtoi(f[0], &e.number)) {
      return absl::InvalidArgumentError("malformed UIDL line: " + l);
    }
    e.uidl = f[1];
    e.size = sizes.count(e.number) ? sizes[e.number] : 0;
    entries.push_back(std::move(e));
  }
  return entries;
}

absl::StatusOr<std::string> Pop3Client::Retrieve(int number) {
  absl::StatusOr<std::string> first = Command(absl::StrCat("RETR ", number));
  if (!first.ok()) return first.status();
  std::string message;
  for (;;) {
    absl::StatusOr<std::string> next = connection_->ReadLine();
    if (!next.ok()) return next.status();
    if (*next == ".") return message;
    absl::string_view line = *next;
    if (absl::StartsWith(line, ".")) line.remove_prefix(1);
    message.append(line.data(), line.size());
    message.append("\r\n");
  }
}

absl::Status Pop3Client::Delete(int number) {
  return Command(absl::StrCat("DELE ", number)).status();
}

absl::Status Pop3Client::Quit() { return Command("QUIT").status(); }

}  // namespace mailroom::migrate
