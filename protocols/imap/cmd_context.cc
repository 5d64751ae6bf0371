// Live SEARCH and SORT results (RFC 5267 section 4): keeping a context,
// CANCELUPDATE, and the ADDTO/REMOVEFROM updates sent where EXPUNGE may be.
// The store's search is asked only about messages that changed since the
// context last looked; the result bookkeeping is in search_context.cc.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "protocols/imap/mailbox_open.h"
#include "protocols/imap/response.h"
#include "protocols/imap/search_context.h"
#include "protocols/imap/session.h"

namespace mailroom::imap {
namespace {

bool NeedsEnvelope(const std::vector<SortCriterion>& criteria) {
  for (const SortCriterion& c : criteria) {
    if (c.key != SortKey::kArrival && c.key != SortKey::kSize) return true;
  }
  return false;
}

// True when `a` comes before `b` in the order `criteria` define.
bool SortsBefore(const SortValues& a, const SortValues& b,
                 const std::vector<SortCriterion>& criteria) {
  return SortMessages({a, b}, criteria).front() == a.id;
}

// `key` limited to the messages in `uids` (ascending).
store::SearchKey LimitedTo(const store::SearchKey& key,
                           const std::vector<store::Uid>& uids) {
  store::SearchKey only;
  only.kind = store::SearchKey::Kind::kUids;
  for (store::Uid uid : uids) {
    if (!only.uids.empty() && only.uids.back().last + 1 == uid) {
      only.uids.back().last = uid;
    } else {
      only.uids.push_back({uid, uid});
    }
  }
  store::SearchKey both;
  both.kind = store::SearchKey::Kind::kAnd;
  both.children = {only, key};
  return both;
}

}  // namespace

void Session::KeepSearchContext(
    const Command& c, store::SearchKey key, std::vector<store::Uid> result,
    absl::flat_hash_map<store::Uid, SortValues> values) {
  SearchContext context;
  context.tag = c.tag;
  context.uid = c.uid;
  context.sort = c.name == CommandName::kSort;
  context.key = std::move(key);
  context.criteria = c.sort_thread.criteria;
  context.result = std::move(result);
  context.values = std::move(values);
  context.seen_max_uid = view_->max_uid();
  context.seen_modseq = view_->highest_modseq();
  if (!search_contexts_.Add(std::move(context))) {
    Untagged(absl::StrCat("OK [NOUPDATE ", QuoteString(c.tag),
                          "] Too many live search results (limit ",
                          search_contexts_.max(), ")"));
  }
}

Task<std::string> Session::HandleCancelUpdate(Command& c) {
  for (const std::string& tag : c.args) {
    if (!search_contexts_.Has(tag)) {
      co_return absl::StrCat("BAD No live search result for ",
                             QuoteString(tag));
    }
  }
  for (const std::string& tag : c.args) search_contexts_.Cancel(tag);
  co_return "OK CANCELUPDATE completed";
}

Task<void> Session::UpdateSearchContexts() {
  if (!view_ || search_contexts_.empty()) co_return;
  const store::MailboxId id = view_->id();
  std::vector<std::string> failed;
  for (SearchContext& context : search_contexts_.all()) {
    // New messages, messages changed since the context last looked (the
    // view's metadata, no store call), and members gone without an
    // announced expunge.
    std::vector<store::Uid> changed;
    view_->ForEachMessage([&](store::Uid uid, store::ModSeq modseq) {
      if (uid > context.seen_max_uid || modseq > context.seen_modseq) {
        changed.push_back(uid);
      }
    });
    context.seen_max_uid = view_->max_uid();
    context.seen_modseq = view_->highest_modseq();
    bool gone = false;
    for (store::Uid uid : context.result) {
      if (!view_->SeqOf(uid)) gone = true;
    }
    if (changed.empty() && !gone) continue;

    std::vector<store::Uid> matched;
    if (!changed.empty()) {
      const store::SearchKey key = LimitedTo(context.key, changed);
      absl::StatusOr<std::vector<store::Uid>> found = co_await plugin::Blocking(
          conn_, [&] { return store_.Search(principal_, id, key); });
      if (!view_) co_return;
      if (!found.ok()) {
        failed.push_back(context.tag);
        continue;
      }
      for (store::Uid uid : *found) {
        if (view_->SeqOf(uid)) matched.push_back(uid);
      }
    }
    const absl::flat_hash_set<store::Uid> retested(changed.begin(),
                                                   changed.end());
    std::vector<store::Uid> after;
    if (!context.sort) {
      for (store::Uid uid : context.result) {
        if (!retested.contains(uid) && view_->SeqOf(uid)) after.push_back(uid);
      }
      after.insert(after.end(), matched.begin(), matched.end());
      std::sort(after.begin(), after.end());
      after.erase(std::unique(after.begin(), after.end()), after.end());
    } else {
      const absl::flat_hash_set<store::Uid> now(matched.begin(), matched.end());
      for (auto it = context.values.begin(); it != context.values.end();) {
        const store::Uid uid = it->first;
        if ((retested.contains(uid) && !now.contains(uid)) ||
            !view_->SeqOf(uid)) {
          context.values.erase(it++);
        } else {
          ++it;
        }
      }
      std::vector<store::MessageMeta> newcomers;
      for (store::Uid uid : matched) {
        if (!context.values.contains(uid)) {
          newcomers.push_back(view_->MessageAt(*view_->SeqOf(uid)));
        }
      }
      const bool envelope = NeedsEnvelope(context.criteria);
      std::vector<SortValues> loaded = co_await plugin::Blocking(conn_, [&] {
        std::vector<store::MessageMeta*> metas;
        for (store::MessageMeta& m : newcomers) metas.push_back(&m);
        // Missing details leave the defaults, as for a message expunged
        // meanwhile.
        LoadMessageDetails(store_, principal_, id, std::move(metas)).IgnoreError();
        std::vector<SortValues> out;
        out.reserve(newcomers.size());
        for (const store::MessageMeta& m : newcomers) {
          out.push_back(SortValuesOf(id, m, m.uid, envelope));
        }
        return out;
      });
      if (!view_) co_return;
      // Members keep their order (sort values never change); newcomers are
      // placed by binary search instead of sorting everything again.
      for (store::Uid uid : context.result) {
        if (context.values.contains(uid)) after.push_back(uid);
      }
      for (uint32_t uid : SortMessages(loaded, context.criteria)) {
        const auto it = std::find_if(loaded.begin(), loaded.end(),
                                     [&](const SortValues& v) {
                                       return v.id == uid;
                                     });
        const auto at = std::partition_point(
            after.begin(), after.end(), [&](store::Uid member) {
              return SortsBefore(context.values.at(member), *it,
                                 context.criteria);
            });
        after.insert(at, uid);
        context.values.emplace(uid, std::move(*it));
      }
    }
    const std::string line = ContextUpdateResponse(
        context, DiffResults(context.result, after, context.sort),
        [this](store::Uid uid) { return view_->SeqOf(uid).value_or(0); });
    context.result = std::move(after);
    if (!line.empty()) Untagged(line);
  }
  // Section 4.3.1: a context the server stops updating is announced.
  for (const std::string& tag : failed) {
    search_contexts_.Cancel(tag);
    Untagged(absl::StrCat("OK [NOUPDATE ", QuoteString(tag),
                          "] Search result no longer updated"));
  }
}

}  // namespace mailroom::imap
