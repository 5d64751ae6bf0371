// CAPABILITY, NOOP, LOGOUT, ID (RFC 2971), ENABLE (RFC 5161), NAMESPACE
// (RFC 2342).
#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"

namespace mailroom::imap {

Task<std::string> Session::HandleCapability(Command& c) {
  Untagged(absl::StrCat("CAPABILITY ", Capabilities()));
  co_return "OK CAPABILITY completed";
}

Task<std::string> Session::HandleNoop(Command& c) {
  if (view_) co_await PullChanges();
  co_return "OK NOOP completed";
}

Task<std::string> Session::HandleLogout(Command& c) {
  Untagged("BYE Logging out");
  state_ = State::kLogout;
  Tagged(c.tag, "OK LOGOUT completed");
  co_return "";
}

Task<std::string> Session::HandleId(Command& c) {
  if (c.id_params) {
    std::string client;
    for (const auto& [key, value] : *c.id_params) {
      if (!client.empty()) client += " ";
      absl::StrAppend(&client, key, "=", value.value_or("NIL"));
    }
    conn_.Log(absl::StrCat("imap: client id: ", client.substr(0, 512)));
  }
  Untagged("ID (\"name\" \"Mailroom\" \"vendor\" \"Mailroom\")");
  co_return "OK ID completed";
}

Task<std::string> Session::HandleEnable(Command& c) {
  std::string enabled;
  auto enable = [&](bool& flag, const char* name) {
    if (!flag) absl::StrAppend(&enabled, " ", name);
    flag = true;
  };
  for (const std::string& cap : c.atoms) {
    if (cap == "IMAP4REV2") {
      enable(rev2_, "IMAP4rev2");
    } else if (cap == "UTF8=ACCEPT") {
      enable(utf8_accept_, "UTF8=ACCEPT");
    } else if (cap == "CONDSTORE") {
      enable(condstore_, "CONDSTORE");
    } else if (cap == "QRESYNC") {
      enable(qresync_, "QRESYNC");
      condstore_ = true;
    }
  }
  Untagged(absl::StrCat("ENABLED", enabled));
  co_return "OK ENABLE completed";
}

Task<std::string> Session::HandleNamespace(Command& c) {
  Untagged(
      "NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) "
      "((\"Shared/\" \"/\"))");
  co_return "OK NAMESPACE completed";
}

}  // namespace mailroom::imap
