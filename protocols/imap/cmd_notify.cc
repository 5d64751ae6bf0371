// NOTIFY (RFC 5465).
//
// One WatchChanges(std::nullopt) per session feeds a NotifyFilter that lets
// through only the mailboxes this session watches; the session turns what
// queued up into STATUS responses (other mailboxes) and LIST responses
// (MailboxName, SubscriptionChange), both after each command and between
// commands. The selected mailbox keeps its own watch (SELECT); NOTIFY only
// decides what of it is announced when not inside a command.
//
// Rights: only mailboxes the user may list are ever named, and message
// events need the 'r' right too. Any mailbox-list change (which includes
// ACL changes) makes the session read its mailbox list again, so a mailbox
// whose sharing ends stops being watched.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

constexpr char kSupportedEvents[] =
    "(MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange "
    "MailboxMetadataChange ServerMetadataChange)";

bool IsPersonalName(std::string_view name) {
  return !std::string_view(name).starts_with("Other Users/") &&
         !std::string_view(name).starts_with("Shared/");
}

}  // namespace

const NotifyGroup* Session::NotifySelectedGroup() const {
  if (!notify_) return nullptr;
  for (const NotifyGroup& g : notify_->groups) {
    if (g.selected() && g.events.message_new) return &g;
  }
  return nullptr;
}

std::vector<std::string> Session::NotifyStatusItems() const {
  std::vector<std::string> items = {"MESSAGES", "UIDNEXT", "UIDVALIDITY",
                                    "UNSEEN"};
  if (condstore_) items.push_back("HIGHESTMODSEQ");
  return items;
}

bool Session::NotifyGroupMatches(const NotifyGroup& g, const std::string& name,
                                 bool personal, bool subscribed) const {
  using F = NotifyGroup::Filter;
  switch (g.filter) {
    case F::kSelected:
    case F::kSelectedDelayed:
      return false;
    case F::kPersonal:
    case F::kInboxes:
      // Deliveries may target any personal mailbox, so "inboxes" is
      // "personal" (RFC 5465 section 6.3 allows it).
      return personal;
    case F::kSubscribed:
      return subscribed;
    case F::kSubtree:
      for (const std::string& root : g.mailboxes) {
        if (name == root ||
            (std::string_view(name).starts_with(root) && name.size() > root.size() &&
             name[root.size()] == store::kDelimiter)) {
          return true;
        }
      }
      return false;
    case F::kMailboxes:
      return std::find(g.mailboxes.begin(), g.mailboxes.end(), name) !=
             g.mailboxes.end();
  }
  return false;
}

std::string Session::NotifyListLine(const std::string& name,
                                    const NotifiedMailbox* m,
                                    bool subscribed) const {
  std::vector<std::string> attrs;
  if (m == nullptr) {
    attrs.push_back("\\NonExistent");
  } else {
    if (m->noselect) attrs.push_back("\\Noselect");
    attrs.push_back(m->has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (m->special_use) attrs.push_back("\\" + *m->special_use);
  }
  if (subscribed) attrs.push_back("\\Subscribed");
  return absl::StrCat("LIST (", absl::StrJoin(attrs, " "), ") \"/\" ",
                      EncodeMailbox(name));
}

void Session::StopNotify() {
  notify_watch_.reset();
  notify_filter_.reset();
  notify_.reset();
  notify_mailboxes_.clear();
  notify_subscriptions_.clear();
  notify_recheck_.clear();
}

Task<std::string> Session::HandleNotify(Command& c) {
  NotifyArgs args = std::move(c.notify);
  if (args.none) {
    StopNotify();
    co_return "OK NOTIFY completed";
  }
  if (!args.unsupported_events.empty()) {
    co_return absl::StrCat("NO [BADEVENT ", kSupportedEvents,
                           "] Unsupported NOTIFY event");
  }
  for (NotifyGroup& g : args.groups) {
    std::vector<std::string> decoded;
    for (const std::string& wire : g.mailboxes) {
      // A name that cannot be a mailbox refers to none: ignored (3.1).
      absl::StatusOr<std::string> name = DecodeMailbox(wire);
      if (name.ok()) decoded.push_back(std::move(*name));
    }
    g.mailboxes = std::move(decoded);
  }
  StopNotify();
  notify_ = std::move(args);
  const bool others = std::any_of(
      notify_->groups.begin(), notify_->groups.end(), [](const NotifyGroup& g) {
        return (!g.selected() && g.events.any()) || g.events.server_metadata;
      });
  if (others) {
    // Watch first, then read the mailboxes: nothing falls in between.
    notify_filter_ = std::make_shared<NotifyFilter>(notify_max_pending_);
    auto filter = notify_filter_;
    plugin::Connection* conn = &conn_;
    notify_watch_ = store_.WatchChanges(
        principal_, std::nullopt, [filter, conn](const store::ChangeEvent& event) {
          if (filter->Offer(event)) conn->Wake();
        });
    co_await RefreshNotifyMailboxes(/*announce=*/false, /*initial=*/true);
    if (notify_->status) {
      const std::vector<std::string> items = NotifyStatusItems();
      std::vector<std::pair<std::string, store::MailboxStatus>> lines;
      for (const auto& [id, m] : notify_mailboxes_) {
        if (!m.watched() || !m.last || (view_ && view_->id() == id)) continue;
        lines.emplace_back(m.name, *m.last);
      }
      std::sort(lines.begin(), lines.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [name, st] : lines) {
        Untagged(StatusLine(name, st, items));
      }
    }
  }
  // A successful NOTIFY SET implies a NOOP: Execute syncs the selected
  // mailbox before the tagged OK.
  if (view_) co_await PullChanges();
  co_return "OK NOTIFY completed";
}

Task<void> Session::RefreshNotifyMailboxes(bool announce, bool initial) {
  if (!notify_) co_return;
  absl::StatusOr<std::vector<store::MailboxInfo>> list =
      co_await plugin::Blocking(
          conn_, [&] { return store_.ListMailboxes(principal_); });
  if (!list.ok() || !notify_) co_return;
  bool want_subscriptions = false;
  bool any_other = false;
  for (const NotifyGroup& g : notify_->groups) {
    if (g.selected()) continue;
    any_other = any_other || g.events.any();
    want_subscriptions = want_subscriptions || g.events.subscription_change ||
                         g.filter == NotifyGroup::Filter::kSubscribed;
  }
  std::set<std::string> subscriptions;
  if (want_subscriptions) {
    absl::StatusOr<std::vector<std::string>> subs = co_await plugin::Blocking(
        conn_, [&] { return store_.ListSubscriptions(principal_); });
    if (subs.ok()) subscriptions.insert(subs->begin(), subs->end());
  }
  if (!notify_) co_return;

  absl::flat_hash_map<store::MailboxId, NotifiedMailbox> next;
  // Watched mailboxes of other owners, whose 'r' right is still unknown.
  std::vector<std::pair<store::MailboxId, std::string>> foreign;
  for (const store::MailboxInfo& info : *list) {
    NotifiedMailbox m;
    m.name = info.name;
    m.personal = info.owner == principal_.user();
    m.noselect = info.noselect;
    m.has_children = info.has_children;
    m.subscribed = info.subscribed || subscriptions.count(info.name) > 0;
    m.special_use = info.special_use;
    for (const NotifyGroup& g : notify_->groups) {
      if (!NotifyGroupMatches(g, m.name, m.personal, m.subscribed)) continue;
      m.message_events = m.message_events || g.events.message_new;
      m.flag_events = m.flag_events || g.events.flag_change;
      m.name_events = m.name_events || g.events.mailbox_name;
      m.metadata_events = m.metadata_events || g.events.mailbox_metadata;
    }
    // An owner holds every right on their own mailboxes.
    m.readable = m.personal;
    if (m.message_events && !m.personal) foreign.emplace_back(info.id, m.name);
    next.emplace(info.id, std::move(m));
  }
  // Other users' mailboxes: check 'r', in one trip to the worker pool.
  if (!foreign.empty()) {
    std::vector<bool> readable(foreign.size(), false);
    co_await plugin::Blocking(conn_, [&] {
      for (size_t i = 0; i < foreign.size(); ++i) {
        absl::StatusOr<std::string> rights =
            store_.MyRights(principal_, foreign[i].second);
        readable[i] = rights.ok() && rights->find('r') != std::string::npos;
      }
    });
    for (size_t i = 0; i < foreign.size(); ++i) {
      next[foreign[i].first].readable = readable[i];
    }
  }
  if (!notify_) co_return;

  // What the client is told, in the order of RFC 5465 sections 5.4/5.5/3.1.
  std::vector<std::string> lines;
  if (announce) {
    absl::flat_hash_map<std::string, const NotifiedMailbox*> by_name;
    for (const auto& [id, m] : next) by_name[m.name] = &m;
    // A created or deleted mailbox affects its parent too (section 5.4).
    std::set<std::string> parents;
    auto note_parent = [&](const std::string& name) {
      const size_t slash = name.rfind(store::kDelimiter);
      if (slash != std::string::npos) parents.insert(name.substr(0, slash));
    };
    std::set<std::string> announced;
    std::vector<std::pair<std::string, std::string>> renames;  // old, new
    for (const auto& [id, m] : next) {
      auto old = notify_mailboxes_.find(id);
      if (old == notify_mailboxes_.end()) {
        if (m.name_events) {
          lines.push_back(NotifyListLine(m.name, &m, m.subscribed));
          announced.insert(m.name);
          note_parent(m.name);
        }
      } else if (old->second.name != m.name) {
        if (m.name_events || old->second.name_events) {
          renames.emplace_back(old->second.name, m.name);
        }
      }
    }
    std::sort(renames.begin(), renames.end());
    for (const auto& [from, to] : renames) {
      // Children move with their parent: no events of their own.
      const bool child = std::any_of(
          renames.begin(), renames.end(), [&](const auto& other) {
            return std::string_view(from).starts_with(other.first + "/");
          });
      if (child) continue;
      auto found = by_name.find(to);
      const NotifiedMailbox* m = found == by_name.end() ? nullptr : found->second;
      lines.push_back(absl::StrCat(NotifyListLine(to, m, m && m->subscribed),
                                   " (\"OLDNAME\" (", EncodeMailbox(from),
                                   "))"));
    }
    for (const auto& [id, m] : notify_mailboxes_) {
      // Deleted, or the 'l' right was taken away: both read as deletion.
      if (m.name_events && !next.contains(id)) {
        lines.push_back(NotifyListLine(m.name, nullptr, false));
        announced.insert(m.name);
        note_parent(m.name);
      }
    }
    for (const std::string& parent : parents) {
      auto found = by_name.find(parent);
      if (found == by_name.end() || !found->second->name_events ||
          announced.count(parent) > 0) {
        continue;
      }
      lines.push_back(
          NotifyListLine(parent, found->second, found->second->subscribed));
    }
    if (want_subscriptions) {
      std::vector<std::string> changed;
      std::set_symmetric_difference(
          subscriptions.begin(), subscriptions.end(),
          notify_subscriptions_.begin(), notify_subscriptions_.end(),
          std::back_inserter(changed));
      for (const std::string& name : changed) {
        auto found = by_name.find(name);
        const NotifiedMailbox* m =
            found == by_name.end() ? nullptr : found->second;
        const bool subscribed = subscriptions.count(name) > 0;
        const bool personal = m ? m->personal : IsPersonalName(name);
        for (const NotifyGroup& g : notify_->groups) {
          if (g.events.subscription_change &&
              (NotifyGroupMatches(g, name, personal, subscribed) ||
               NotifyGroupMatches(g, name, personal, !subscribed))) {
            lines.push_back(NotifyListLine(name, m, subscribed));
            break;
          }
        }
      }
    }
  }
  // Listable but not readable: \NoAccess (section 3.1), when first seen so.
  for (const auto& [id, m] : next) {
    if (!m.message_events || m.noselect || m.readable) continue;
    auto old = notify_mailboxes_.find(id);
    const bool was_told = !initial && old != notify_mailboxes_.end() &&
                          old->second.message_events && !old->second.readable;
    if (!was_told && (initial || announce)) {
      lines.push_back(absl::StrCat("LIST (\\NoAccess) \"/\" ",
                                   EncodeMailbox(m.name)));
    }
  }

  // Keep the last announced status of mailboxes still watched.
  NotifyFilter::Interest interest;
  interest.user = principal_.user();
  interest.mailbox_list = any_other;
  interest.subscriptions = want_subscriptions;
  for (const NotifyGroup& g : notify_->groups) {
    interest.server_metadata =
        interest.server_metadata || g.events.server_metadata;
  }
  for (const auto& [id, m] : next) {
    if (m.metadata_events) interest.metadata_mailboxes.insert(id);
  }
  std::vector<std::pair<store::MailboxId, std::string>> need_status;
  for (auto& [id, m] : next) {
    if (!m.watched()) continue;
    interest.message_mailboxes.insert(id);
    auto old = notify_mailboxes_.find(id);
    if (old != notify_mailboxes_.end() && old->second.watched()) {
      m.last = old->second.last;
    } else if (!initial) {
      // New to the watch list: whatever it holds is news to the client,
      // even what arrived before this refresh read the list.
      m.last = store::MailboxStatus();
      notify_recheck_.push_back(id);
    }
    if (!m.last) need_status.emplace_back(id, m.name);
  }
  if (notify_filter_) notify_filter_->SetInterest(std::move(interest));
  notify_mailboxes_ = std::move(next);
  notify_subscriptions_ = std::move(subscriptions);
  for (const std::string& line : lines) Untagged(line);

  // Baselines of newly watched mailboxes, read after the filter lets their
  // events through so that no change is missed.
  if (!need_status.empty()) {
    std::vector<std::optional<store::MailboxStatus>> statuses(
        need_status.size());
    co_await plugin::Blocking(conn_, [&] {
      for (size_t i = 0; i < need_status.size(); ++i) {
        absl::StatusOr<store::MailboxStatus> st =
            store_.GetStatus(principal_, need_status[i].second);
        if (st.ok()) statuses[i] = *st;
      }
    });
    for (size_t i = 0; i < need_status.size(); ++i) {
      auto it = notify_mailboxes_.find(need_status[i].first);
      if (it != notify_mailboxes_.end() && !it->second.last) {
        it->second.last = statuses[i];
      }
    }
  }
}

Task<void> Session::DeliverNotifications() {
  if (!notify_ || !notify_filter_) co_return;
  NotifyFilter::Pending pending = notify_filter_->Take();
  if (pending.empty() && notify_recheck_.empty()) co_return;
  if (pending.overflow) {
    // RFC 5465 section 5.8: as if NOTIFY NONE had been received.
    Untagged(
        "OK [NOTIFICATIONOVERFLOW] Too many events queued; NOTIFY NONE is "
        "now in effect");
    StopNotify();
    co_return;
  }
  if (pending.mailbox_list || pending.subscriptions) {
    co_await RefreshNotifyMailboxes(/*announce=*/true, /*initial=*/false);
  }
  for (store::MailboxId id : notify_recheck_) {
    if (std::find(pending.mailboxes.begin(), pending.mailboxes.end(), id) ==
        pending.mailboxes.end()) {
      pending.mailboxes.push_back(id);
    }
  }
  notify_recheck_.clear();
  const std::vector<std::string> items = NotifyStatusItems();
  for (store::MailboxId id : pending.mailboxes) {
    if (!notify_) co_return;
    if (view_ && view_->id() == id) continue;  // SELECTED rules apply
    auto it = notify_mailboxes_.find(id);
    if (it == notify_mailboxes_.end() || !it->second.watched()) continue;
    const std::string name = it->second.name;
    absl::StatusOr<store::MailboxStatus> st = co_await plugin::Blocking(
        conn_, [&] { return store_.GetStatus(principal_, name); });
    if (!st.ok()) continue;  // gone, or no longer ours to see
    it = notify_mailboxes_.find(id);
    if (it == notify_mailboxes_.end()) continue;
    NotifiedMailbox& m = it->second;
    const std::optional<store::MailboxStatus>& last = m.last;
    // ChangeEvent does not say what changed: compare with what the client
    // was told and announce only the events it asked for.
    const bool messages = !last || st->messages != last->messages ||
                          st->uidnext != last->uidnext ||
                          (last->uidvalidity != 0 &&
                           st->uidvalidity != last->uidvalidity);
    const bool flags =
        m.flag_events && last &&
        (st->unseen != last->unseen ||
         (condstore_ && st->highestmodseq != last->highestmodseq));
    m.last = *st;
    if (messages || flags) Untagged(StatusLine(name, *st, items));
  }
  // RFC 5465 sections 5.6/5.7: the unsolicited METADATA response of RFC
  // 5464 section 4.4.2, names only.
  for (const NotifyFilter::MetadataChange& change : pending.metadata) {
    if (!notify_) co_return;
    std::string name;
    if (change.mailbox != 0) {
      auto it = notify_mailboxes_.find(change.mailbox);
      if (it == notify_mailboxes_.end() || !it->second.metadata_events) {
        continue;
      }
      name = EncodeMailbox(it->second.name);
    } else {
      name = "\"\"";
    }
    std::string line = absl::StrCat("METADATA ", name);
    for (const std::string& entry : change.entries) {
      absl::StrAppend(&line, " ", AStringOf(entry));
    }
    Untagged(line);
  }
}

Task<void> Session::FetchNewForNotify(uint32_t announced_before) {
  const NotifyGroup* g = NotifySelectedGroup();
  if (g == nullptr || g->events.fetch_attrs.empty() || !view_) co_return;
  if (view_->count() <= announced_before) co_return;
  Command fetch;
  fetch.tag = current_tag_;
  fetch.name = CommandName::kFetch;
  fetch.uid = true;
  fetch.fetch.attrs = g->events.fetch_attrs;
  const store::Uid first = view_->UidAt(announced_before + 1);
  fetch.fetch.set.ranges.push_back(SeqRange{first, view_->max_uid()});
  co_await HandleFetch(fetch);
}

Task<void> Session::NotifyAsync() {
  if (!notify_) co_return;
  const NotifyGroup* g = NotifySelectedGroup();
  if (view_ && g != nullptr) {
    const bool delayed = g->filter == NotifyGroup::Filter::kSelectedDelayed;
    const bool flags = g->events.flag_change;
    const uint32_t before = view_->announced_count();
    if (changed_->load()) co_await PullChanges();
    if (view_) {
      // SELECTED-DELAYED holds expunges back until a command allows them.
      AnnounceUpdates(!delayed, false, flags);
      co_await FetchNewForNotify(before);
    }
  }
  co_await DeliverNotifications();
}

Task<void> Session::NotifyAfterCommand(store::MailboxId view_id,
                                       uint32_t announced_before) {
  if (view_ && view_->id() == view_id) {
    co_await FetchNewForNotify(announced_before);
  }
  co_await DeliverNotifications();
}

}  // namespace mailroom::imap
