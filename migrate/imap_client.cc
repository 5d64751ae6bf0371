#include "migrate/imap_client.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mailroom::migrate {
namespace {

// The "n" of a line ending in "{n}" or "{n+}", or -1.
int64_t TrailingLiteral(absl::string_view line) {
  if (!absl::EndsWith(line, "}")) return -1;
  const size_t open = line.rfind('{');
  if (open == absl::string_view::npos) return -1;
  absl::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (absl::EndsWith(digits, "+")) digits.remove_suffix(1);
  uint64_t n = 0;
  if (!absl::SimpleAtoi(digits, &n)) return -1;
  return static_cast<int64_t>(n);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ImapClient>> ImapClient::Login(
    const Endpoint& endpoint, absl::string_view user,
    absl::string_view password) {
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::Open(endpoint);
  if (!connection.ok()) return connection.status();
  std::unique_ptr<ImapClient> client(new ImapClient(*std::move(connection)));
  absl::StatusOr<ImapResponse> greeting = client->Read();
  if (!greeting.ok()) return greeting.status();
  if (greeting->status != "OK" && greeting->status != "PREAUTH") {
    return absl::UnavailableError(
        absl::StrCat("IMAP server refused the connection: ", greeting->text));
  }
  client->NoteCapabilities(*greeting);
  if (client->capabilities_.empty()) {
    absl::Status status = client->RefreshCapabilities();
    if (!status.ok()) return status;
  }
  if (endpoint.tls == TlsMode::kStartTls) {
    if (!client->HasCapability("STARTTLS")) {
      return absl::FailedPreconditionError(
          "the IMAP server does not offer STARTTLS");
    }
    absl::Status status = client->Run("STARTTLS");
    if (!status.ok()) return status;
    status = client->connection_->StartTls();
    if (!status.ok()) return status;
    client->capabilities_.clear();
    status = client->RefreshCapabilities();
    if (!status.ok()) return status;
  }
  if (greeting->status != "PREAUTH") {
    if (client->HasCapability("LOGINDISABLED")) {
      return absl::FailedPreconditionError(
          "the IMAP server refuses LOGIN here (LOGINDISABLED): use --tls or "
          "--starttls");
    }
    absl::Status status = client->Run(absl::StrCat(
        "LOGIN ", client->Astring(user), " ", client->Astring(password)));
    if (!status.ok()) {
      return absl::PermissionDeniedError(
          absl::StrCat("IMAP login as ", user, " failed: ", status.message()));
    }
  }
  // Servers often list more capabilities once logged in.
  client->capabilities_.clear();
  absl::Status status = client->RefreshCapabilities();
  if (!status.ok()) return status;
  return client;
}

bool ImapClient::HasCapability(absl::string_view name) const {
  return capabilities_.count(absl::AsciiStrToUpper(name)) > 0;
}

void ImapClient::NoteCapabilities(const ImapResponse& r) {
  if (absl::StartsWithIgnoreCase(r.code, "CAPABILITY ")) {
    for (absl::string_view word :
         absl::StrSplit(r.code.substr(11), ' ', absl::SkipEmpty())) {
      capabilities_.insert(absl::AsciiStrToUpper(word));
    }
  }
  if (!r.values.empty() && r.values[0].IsAtom("CAPABILITY")) {
    for (size_t i = 1; i < r.values.size(); ++i) {
      capabilities_.insert(absl::AsciiStrToUpper(r.values[i].text));
    }
  }
}

absl::Status ImapClient::RefreshCapabilities() {
  return Run("CAPABILITY");
}

std::string ImapClient::Astring(absl::string_view s) const {
  std::string out;
  if (QuoteImapString(s, &out)) return out;
  // A non-synchronising literal when the server allows it; Send() waits
  // for the continuation of a synchronising one.
  return absl::StrCat("{", s.size(),
                      HasCapability("LITERAL+") || HasCapability("LITERAL-")
                          ? "+"
                          : "",
                      "}\r\n", s);
}

absl::StatusOr<std::string> ImapClient::Send(absl::string_view command) {
  std::string tag = absl::StrCat("M", next_tag_++);
  const std::string line = absl::StrCat(tag, " ", command, "\r\n");
  // A synchronising literal ("{n}" CRLF) waits for the server's "+".
  size_t sent = 0;
  for (size_t at = line.find("}\r\n"); at != std::string::npos;
       at = line.find("}\r\n", at + 3)) {
    const size_t open = line.rfind('{', at);
    if (open == std::string::npos || open < sent ||
        TrailingLiteral(absl::string_view(line).substr(open, at + 1 - open)) < 0 ||
        line[at - 1] == '+') {
      continue;
    }
    absl::Status status = connection_->Write(
        absl::string_view(line).substr(sent, at + 3 - sent));
    if (!status.ok()) return status;
    sent = at + 3;
    absl::StatusOr<ImapResponse> r = Read();
    if (!r.ok()) return r.status();
    if (r->kind != ImapResponse::kContinuation) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the server refused a literal: ", r->status, " ", r->text));
    }
  }
  absl::Status status = connection_->Write(absl::string_view(line).substr(sent));
  if (!status.ok()) return status;
  return tag;
}

absl::StatusOr<ImapResponse> ImapClient::Read() {
  std::string raw;
  for (;;) {
    absl::StatusOr<std::string> line = connection_->ReadLine();
    if (!line.ok()) return line.status();
    raw.append(*line);
    const int64_t literal = TrailingLiteral(*line);
    if (literal < 0) break;
    raw.append("\r\n");
    absl::Status status =
        connection_->ReadBytes(static_cast<size_t>(literal), &raw);
    if (!status.ok()) return status;
  }
  absl::StatusOr<ImapResponse> r = ParseImapResponse(raw);
  if (!r.ok()) return r.status();
  return r;
}

absl::Status ImapClient::Wait(
    const std::string& tag,
    const std::function<absl::Status(ImapResponse&)>& on_untagged) {
  for (;;) {
    absl::StatusOr<ImapResponse> r = Read();
    if (!r.ok()) return r.status();
    if (r->kind == ImapResponse::kContinuation) continue;
    if (r->kind == ImapResponse::kUntagged) {
      if (r->status == "BYE") {
        return absl::UnavailableError(
            absl::StrCat("IMAP server closed the session: ", r->text));
      }
      NoteCapabilities(*r);
      if (on_untagged) {
        absl::Status status = on_untagged(*r);
        if (!status.ok()) return status;
      }
      continue;
    }
    if (r->tag != tag) continue;  // an earlier pipelined command's answer
    NoteCapabilities(*r);
    if (r->status == "OK") return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        r->status, r->code.empty() ? "" : absl::StrCat(" [", r->code, "]"),
        " ", r->text));
  }
}

absl::Status ImapClient::Run(
    absl::string_view command,
    const std::function<absl::Status(ImapResponse&)>& on_untagged) {
  absl::StatusOr<std::string> tag = Send(command);
  if (!tag.ok()) return tag.status();
  return Wait(*tag, on_untagged);
}

void ImapClient::Logout() { (void)Run("LOGOUT"); }

}  // namespace mailroom::migrate
