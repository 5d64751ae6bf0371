#include "protocols/imap/search_in_view.h"

#include <algorithm>
#include <string>

#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

using Kind = store::SearchKey::Kind;

bool MatchesMessage(const store::SearchKey& key, store::Uid uid,
                    uint32_t system, const std::vector<std::string>& keywords,
                    store::ModSeq modseq) {
  switch (key.kind) {
    case Kind::kAll:
      return true;
    case Kind::kAnd:
      return std::all_of(key.children.begin(), key.children.end(),
                         [&](const store::SearchKey& c) {
                           return MatchesMessage(c, uid, system, keywords,
                                                 modseq);
                         });
    case Kind::kOr:
      return std::any_of(key.children.begin(), key.children.end(),
                         [&](const store::SearchKey& c) {
                           return MatchesMessage(c, uid, system, keywords,
                                                 modseq);
                         });
    case Kind::kNot:
      return !key.children.empty() &&
             !MatchesMessage(key.children[0], uid, system, keywords, modseq);
    case Kind::kUids:
      return std::any_of(key.uids.begin(), key.uids.end(),
                         [&](const store::UidRange& r) {
                           return uid >= std::min(r.first, r.last) &&
                                  uid <= std::max(r.first, r.last);
                         });
    case Kind::kFlagSet:
      return (system & key.number) == static_cast<uint32_t>(key.number);
    case Kind::kFlagClear:
      return (system & key.number) == 0;
    case Kind::kKeyword:
    case Kind::kUnkeyword: {
      const bool set =
          std::any_of(keywords.begin(), keywords.end(),
                      [&](const std::string& k) {
                        return EqualsNoCase(k, key.value);
                      });
      return key.kind == Kind::kKeyword ? set : !set;
    }
    case Kind::kModSeq:
      return static_cast<int64_t>(modseq) >= key.number;
    default:
      return false;  // not reached: AnsweredByView rules the rest out
  }
}

}  // namespace

bool AnsweredByView(const store::SearchKey& key) {
  switch (key.kind) {
    case Kind::kAll:
    case Kind::kUids:
    case Kind::kFlagSet:
    case Kind::kFlagClear:
    case Kind::kKeyword:
    case Kind::kUnkeyword:
    case Kind::kModSeq:
      return true;
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kNot:
      return std::all_of(key.children.begin(), key.children.end(),
                         [](const store::SearchKey& c) {
                           return AnsweredByView(c);
                         });
    default:
      return false;
  }
}

std::vector<store::Uid> SearchView(const MailboxView& view,
                                   const store::SearchKey& key) {
  std::vector<store::Uid> out;
  view.ForEachWithKeywords(
      [&](uint32_t, store::Uid uid, uint32_t system,
          const std::vector<std::string>& keywords, store::ModSeq modseq) {
        if (MatchesMessage(key, uid, system, keywords, modseq)) {
          out.push_back(uid);
        }
      });
  return out;
}

void ResolveViewKeys(const MailboxView& view, store::SearchKey* key) {
  if (key->kind == Kind::kUids) return;
  if (!AnsweredByView(*key)) {
    for (store::SearchKey& child : key->children) {
      ResolveViewKeys(view, &child);
    }
    return;
  }
  std::vector<store::UidRange> runs;
  uint32_t last_seq = 0;
  view.ForEachWithKeywords(
      [&](uint32_t seq, store::Uid uid, uint32_t system,
          const std::vector<std::string>& keywords, store::ModSeq modseq) {
        if (!MatchesMessage(*key, uid, system, keywords, modseq)) return;
        if (!runs.empty() && last_seq + 1 == seq) {
          runs.back().last = uid;
        } else {
          runs.push_back({uid, uid});
        }
        last_seq = seq;
      });
  store::SearchKey set;
  set.kind = Kind::kUids;
  set.uids = std::move(runs);
  *key = std::move(set);
}

}  // namespace mailroom::imap
