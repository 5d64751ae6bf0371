// SEARCH and UID SEARCH with ESEARCH (RFC 4731), SEARCHRES (RFC 5182), the
// IMAP4rev2 ESEARCH response, MODSEQ results (RFC 7162), and PARTIAL and
// UPDATE (RFC 5267 section 4; the live contexts are in cmd_context.cc).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"
#include "protocols/imap/search_context.h"
#include "protocols/imap/search_in_view.h"
#include "protocols/imap/search_parser.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

bool UsesModSeq(const store::SearchKey& key) {
  if (key.kind == store::SearchKey::Kind::kModSeq) return true;
  for (const auto& c : key.children) {
    if (UsesModSeq(c)) return true;
  }
  return false;
}

bool HasOption(const std::vector<std::string>& v, const char* name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}

}  // namespace

absl::StatusOr<std::vector<store::Uid>> Session::SearchSelected(
    const ImapSearchKey& parsed, const std::vector<store::Uid>& recent,
    store::SearchKey* key) {
  *key = TranslateSearchKey(
      parsed, view_->count(), [&](uint32_t seq) { return view_->UidAt(seq); },
      saved_result_, recent);
  if (AnsweredByView(*key)) return SearchView(*view_, *key);
  store::SearchKey for_store = *key;
  ResolveViewKeys(*view_, &for_store);
  return store_.Search(principal_, view_->id(), for_store);
}

Task<std::string> Session::HandleSearch(Command& c) {
  const SearchArgs& args = c.search;
  if (args.charset && !EqualsNoCase(*args.charset, "UTF-8") &&
      !EqualsNoCase(*args.charset, "US-ASCII")) {
    co_return "NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset";
  }
  // Sequence sets become UID ranges and the view answers flag, keyword,
  // MODSEQ and UID keys (search_in_view.h), on the worker pool with the
  // store's search. The session waits meanwhile, so its view and saved
  // result stay as they are.
  const std::vector<store::Uid> recent = view_->RecentUids();
  const bool save = HasOption(args.returns, "SAVE");
  store::SearchKey key;
  absl::StatusOr<std::vector<store::Uid>> found = co_await plugin::Blocking(
      conn_, [&]() { return SearchSelected(args.key, recent, &key); });
  if (UsesModSeq(key)) EnableCondstore();
  if (!found.ok()) {
    if (save) saved_result_.clear();
    co_return ResponseForStatus(found.status());
  }
  // Only messages the client knows about (new arrivals come with EXISTS).
  std::vector<store::Uid> uids;
  std::vector<uint32_t> seqs;
  for (store::Uid uid : *found) {
    auto seq = view_->SeqOf(uid);
    if (!seq) continue;
    uids.push_back(uid);
    seqs.push_back(*seq);
  }
  // The highest modseq of the found messages; with `min` or `max`, of only
  // the first or last of them. REQUIRES: seqs not empty.
  auto MaxModSeqOf = [&](const std::vector<uint32_t>& found_seqs, bool min,
                         bool max) {
    store::ModSeq out = 0;
    if (!min && !max) {
      for (uint32_t seq : found_seqs) out = std::max(out, view_->ModSeqAt(seq));
      return out;
    }
    if (min) out = view_->ModSeqAt(found_seqs.front());
    if (max) out = std::max(out, view_->ModSeqAt(found_seqs.back()));
    return out;
  };
  const std::vector<uint32_t>& numbers = c.uid ? uids : seqs;
  const bool want_min = HasOption(args.returns, "MIN");
  const bool want_max = HasOption(args.returns, "MAX");
  const bool want_count = HasOption(args.returns, "COUNT");
  bool want_all = HasOption(args.returns, "ALL");
  if (args.esearch && args.returns.empty()) want_all = true;

  if (save) {
    // RFC 5182: with MIN/MAX only, the saved result is just those.
    if ((want_min || want_max) && !want_all && !want_count) {
      saved_result_.clear();
      if (!uids.empty()) {
        if (want_min) saved_result_.push_back(uids.front());
        if (want_max && (!want_min || uids.size() > 1)) {
          saved_result_.push_back(uids.back());
        }
      }
    } else {
      saved_result_ = uids;
    }
  }

  if (args.esearch || rev2_) {
    if (!args.esearch) want_all = true;
    // SAVE alone asks for no result.
    if (args.esearch && save && args.returns.size() == 1 && !args.update) {
      co_return "OK SEARCH completed";
    }
    std::string line = absl::StrCat("ESEARCH (TAG ", QuoteString(c.tag), ")");
    if (c.uid) line += " UID";
    if (!numbers.empty()) {
      if (want_min) absl::StrAppend(&line, " MIN ", numbers.front());
      if (want_max) absl::StrAppend(&line, " MAX ", numbers.back());
      if (want_all) absl::StrAppend(&line, " ALL ", FormatNumberSet(numbers));
    }
    if (args.partial) {
      absl::StrAppend(&line, " ", PartialResponse(*args.partial, numbers, false));
    }
    if (want_count) absl::StrAppend(&line, " COUNT ", numbers.size());
    if (UsesModSeq(key) && !numbers.empty()) {
      // RFC 7162 section 3.1.5 with RFC 4731: the highest modseq of the
      // messages returned; MIN and MAX alone return only those messages.
      const bool only_min_max = !want_all && !want_count;
      absl::StrAppend(&line, " MODSEQ ",
                      only_min_max ? MaxModSeqOf(seqs, want_min, want_max)
                                   : MaxModSeqOf(seqs, false, false));
    }
    Untagged(line);
    if (args.update) KeepSearchContext(c, std::move(key), std::move(uids), {});
  } else {
    std::string line = "SEARCH";
    for (uint32_t n : numbers) absl::StrAppend(&line, " ", n);
    if (UsesModSeq(key) && !numbers.empty()) {
      absl::StrAppend(&line, " (MODSEQ ", MaxModSeqOf(seqs, false, false), ")");
    }
    Untagged(line);
  }
  co_return "OK SEARCH completed";
}

}  // namespace mailroom::imap
