#include "sieve/vacation.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sieve/address.h"
#include "sieve/text.h"

namespace mailroom::sieve {
namespace {

std::string Normalize(std::string_view address) {
  Address a = ParseAddrSpec(address);
  return Lower(a.all);
}

VacationDecision No(std::string why) {
  VacationDecision d;
  d.why_not = std::move(why);
  return d;
}

}  // namespace

VacationDecision DecideVacation(const VacationRequest& request, const Message& message,
                                const VacationRecipient& recipient, VacationMemory& memory,
                                absl::Time now) {
  const std::string sender = Normalize(message.Envelope("from").value_or(""));
  if (sender.empty()) return No("the sender is null");
  const Address sender_address = ParseAddrSpec(sender);
  const std::string local = Lower(sender_address.localpart);
  // RFC 5230 §4.6: list and daemon addresses never get replies.
  if (local == "mailer-daemon" || local == "listserv" || local == "majordomo" ||
      local.starts_with("owner-") || local.ends_with("-request")) {
    return No("the sender is a list or system address");
  }
  for (const std::string& v : message.HeaderValues("auto-submitted", false)) {
    if (!EqualsIgnoreCase(Strip(v).substr(0, 2), "no")) {
      return No("the message was sent automatically (Auto-Submitted)");
    }
  }
  for (const std::string& v : message.HeaderValues("precedence", false)) {
    const std::string p = Lower(Strip(v));
    if (p == "bulk" || p == "list" || p == "junk") return No("the message is bulk or list mail");
  }
  for (const char* field : {"list-id", "list-help", "list-unsubscribe", "list-subscribe",
                            "list-post", "list-owner", "list-archive"}) {
    if (!message.HeaderValues(field, false).empty()) return No("the message came from a list");
  }
  std::vector<std::string> mine = {Normalize(recipient.address)};
  for (const std::string& a : recipient.other_addresses) mine.push_back(Normalize(a));
  for (const std::string& a : request.addresses) mine.push_back(Normalize(a));
  if (std::find(mine.begin(), mine.end(), sender) != mine.end()) {
    return No("the sender is the user");
  }
  // RFC 5230 §4.5: reply only when the user is an explicit recipient.
  bool addressed = false;
  for (const char* field : {"to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"}) {
    for (const std::string& v : message.HeaderValues(field, false)) {
      for (const Address& a : ParseAddressList(v)) {
        if (std::find(mine.begin(), mine.end(), Lower(a.all)) != mine.end()) {
          addressed = true;
        }
      }
    }
  }
  if (!addressed) return No("the user is not among the recipients in the header");
  const std::string key = Cat(request.handle, "\n", sender);
  if (memory.Contains(key, now)) return No("the sender was answered within the period");
  memory.Remember(key, now + absl::Seconds(request.seconds));

  VacationDecision d;
  d.send = true;
  VacationReply& r = d.reply;
  r.to = sender_address.all;
  r.from = request.from.empty() ? recipient.address : request.from;
  if (!request.subject.empty()) {
    r.subject = request.subject;
  } else {
    const std::vector<std::string> subjects = message.HeaderValues("subject", true);
    r.subject = Cat("Auto: ", subjects.empty() ? "" : subjects[0]);
  }
  const std::vector<std::string> ids = message.HeaderValues("message-id", false);
  if (!ids.empty()) {
    r.in_reply_to = std::string(Strip(ids[0]));
    const std::vector<std::string> refs = message.HeaderValues("references", false);
    r.references = refs.empty() ? r.in_reply_to
                                : Cat(Strip(refs[0]), " ",
                                               r.in_reply_to);
  }
  r.body = request.reason;
  r.mime = request.mime;
  r.extra_headers.emplace_back("Auto-Submitted", "auto-replied");
  return d;
}

}  // namespace mailroom::sieve
