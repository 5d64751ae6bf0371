// LIST (with LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE
// RFC 6154, CHILDREN RFC 3348) and LSUB.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocols/imap/list_pattern.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"

namespace mailroom::imap {
namespace {

struct Entry {
  const store::MailboxInfo* info = nullptr;  // nullptr: does not exist
  bool subscribed = false;
  // Has a subscribed descendant that no pattern matches, so that the
  // descendant is not listed itself (RFC 5258 section 3.5: CHILDINFO;
  // RFC 3501 section 6.3.9: LSUB's \Noselect).
  bool unlisted_subscribed_child = false;
};

std::vector<std::string> Ancestors(const std::string& name) {
  std::vector<std::string> out;
  for (size_t pos = name.find(store::kDelimiter); pos != std::string::npos;
       pos = name.find(store::kDelimiter, pos + 1)) {
    out.push_back(name.substr(0, pos));
  }
  return out;
}

}  // namespace

Task<std::string> Session::HandleList(Command& c, bool lsub) {
  const ListArgs& args = c.list;
  const char* verb = lsub ? "LSUB" : "LIST";
  if (!lsub && args.patterns.size() == 1 && args.patterns[0].empty() &&
      !args.extended) {
    Untagged("LIST (\\Noselect) \"/\" \"\"");
    co_return "OK LIST completed";
  }
  std::vector<std::string> patterns;
  for (const std::string& p : args.patterns) {
    absl::StatusOr<std::string> ref = DecodeMailbox(args.reference);
    absl::StatusOr<std::string> pat = DecodeMailbox(p);
    if (!ref.ok() || !pat.ok()) co_return "BAD Invalid mailbox pattern";
    patterns.push_back(CombineReference(*ref, *pat));
  }
  if (args.return_status) {
    absl::StatusOr<std::string> valid = ValidateStatusItems(*args.return_status);
    if (!valid.ok()) co_return std::string(valid.status().message());
  }

  absl::StatusOr<std::vector<store::MailboxInfo>> infos =
      co_await plugin::Blocking(
          conn_, [&] { return store_.ListMailboxes(principal_); });
  if (!infos.ok()) co_return ResponseForStatus(infos.status());
  const bool need_subs = lsub || args.select_subscribed || args.return_subscribed;
  std::vector<std::string> subs;
  if (need_subs) {
    absl::StatusOr<std::vector<std::string>> s = co_await plugin::Blocking(
        conn_, [&] { return store_.ListSubscriptions(principal_); });
    if (!s.ok()) co_return ResponseForStatus(s.status());
    subs = std::move(*s);
  }

  // Every name that may be listed, in order.
  std::map<std::string, Entry> entries;
  for (const store::MailboxInfo& info : *infos) entries[info.name].info = &info;
  auto matches = [&](const std::string& name) {
    for (const std::string& p : patterns) {
      if (MatchListPattern(p, name)) return true;
    }
    return false;
  };
  const bool by_subscription = lsub || args.select_subscribed;
  for (const std::string& s : subs) {
    entries[s].subscribed = true;
    if (by_subscription && !matches(s)) {
      for (const std::string& a : Ancestors(s)) {
        entries[a].unlisted_subscribed_child = true;
      }
    }
  }

  std::vector<std::pair<std::string, const Entry*>> out;
  for (const auto& [name, e] : entries) {
    if (!matches(name)) continue;
    if (by_subscription) {
      const bool recursive_hit =
          (lsub || args.select_recursive) && e.unlisted_subscribed_child;
      if (!e.subscribed && !recursive_hit) continue;
    } else if (e.info == nullptr) {
      continue;
    }
    if (args.select_special_use && (!e.info || !e.info->special_use)) continue;
    out.emplace_back(name, &e);
  }
  // INBOX first, as clients expect.
  std::stable_partition(out.begin(), out.end(),
                        [](const auto& p) { return p.first == "INBOX"; });

  for (const auto& [name, e] : out) {
    std::vector<std::string> attrs;
    // LSUB marks a parent listed only for a subscribed child \Noselect
    // (RFC 3501 section 6.3.9), whether or not the parent exists.
    const bool lsub_parent_only = lsub && !e->subscribed;
    if (lsub_parent_only) {
      attrs.push_back("\\Noselect");
    } else if (e->info == nullptr) {
      if (lsub) {
        // A subscription to a mailbox that is gone.
      } else {
        attrs.push_back("\\NonExistent");
      }
    } else {
      if (e->info->noselect) attrs.push_back("\\Noselect");
      if (!lsub) {
        attrs.push_back(e->info->has_children ? "\\HasChildren"
                                              : "\\HasNoChildren");
      }
      if (e->info->special_use && !lsub) {
        attrs.push_back("\\" + *e->info->special_use);
      }
    }
    if (!lsub && e->subscribed &&
        (args.select_subscribed || args.return_subscribed)) {
      attrs.push_back("\\Subscribed");
    }
    std::string line = absl::StrCat(verb, " (", absl::StrJoin(attrs, " "),
                                    ") \"/\" ", EncodeMailbox(name));
    if (!lsub && args.select_recursive && e->unlisted_subscribed_child) {
      line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
    }
    Untagged(line);
    if (args.return_status && e->info && !e->info->noselect) {
      const std::string mailbox = name;
      absl::StatusOr<store::MailboxStatus> st = co_await plugin::Blocking(
          conn_, [&] { return store_.GetStatus(principal_, mailbox); });
      if (st.ok()) Untagged(StatusLine(name, *st, *args.return_status));
    }
    if (!co_await MaybeFlush()) co_return "";
  }
  co_return absl::StrCat("OK ", verb, " completed");
}

}  // namespace mailroom::imap
