// FETCH and UID FETCH: every RFC 9051 / RFC 3501 item, BINARY (RFC 3516),
// MODSEQ with CHANGEDSINCE and VANISHED (RFC 7162), EMAILID and THREADID
// (RFC 8474), PREVIEW (RFC 8970). Structure, envelope and
// section bytes come from //mime:imap.
#include <algorithm>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "mime/imap.h"
#include "mime/preview.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"

namespace mailroom::imap {
namespace {

using K = FetchAttr::Kind;

bool NeedsStructure(const FetchAttr& a) {
  switch (a.kind) {
    case K::kEnvelope: case K::kBody: case K::kBodyStructure: case K::kSection:
    case K::kBinary: case K::kBinarySize: case K::kRfc822Header:
    case K::kRfc822Text: case K::kPreview:
      return true;
    default:
      return false;
  }
}

bool NeedsRaw(const FetchAttr& a) {
  switch (a.kind) {
    case K::kSection: case K::kBinary: case K::kBinarySize: case K::kRfc822:
    case K::kRfc822Header: case K::kRfc822Text:
      return true;
    default:
      return false;
  }
}

// Items the session's view does not keep: read with MailStore::GetMessages.
bool NeedsDetails(const FetchAttr& a) {
  switch (a.kind) {
    case K::kInternalDate: case K::kSaveDate: case K::kRfc822Size:
    case K::kEmailId: case K::kThreadId:
      return true;
    default:
      return false;
  }
}

// Items that set \Seen unless the mailbox is read-only.
bool SetsSeen(const FetchAttr& a) {
  return ((a.kind == K::kSection || a.kind == K::kBinary) && !a.peek) ||
         a.kind == K::kRfc822 || a.kind == K::kRfc822Text;
}

mime::SectionSpec SpecOf(const FetchAttr& a) {
  mime::SectionSpec spec;
  spec.part = a.part;
  using T = FetchAttr::Text;
  using S = mime::SectionSpec::Text;
  switch (a.text) {
    case T::kAll: spec.text = S::kAll; break;
    case T::kHeader: spec.text = S::kHeader; break;
    case T::kHeaderFields: spec.text = S::kHeaderFields; break;
    case T::kHeaderFieldsNot: spec.text = S::kHeaderFieldsNot; break;
    case T::kText: spec.text = S::kText; break;
    case T::kMime: spec.text = S::kMime; break;
  }
  spec.fields = a.fields;
  return spec;
}

std::string Partial(const std::string& data, const FetchAttr& a) {
  if (!a.partial) return data;
  if (a.partial->first >= data.size()) return std::string();
  return data.substr(a.partial->first, a.partial->second);
}

// A literal, or a literal8 ("~{n}") when the bytes hold NUL (RFC 3516).
std::string BinaryLiteral(const std::string& data) {
  if (data.find('\0') == std::string::npos) return LiteralOf(data);
  return absl::StrCat("~", LiteralOf(data));
}

constexpr size_t kFetchBatchMessages = 64;
constexpr uint64_t kFetchBatchBytes = 4 << 20;

struct Loaded {
  absl::Status status;
  store::MessageMeta details;  // dates, size and ids, when asked for
  std::shared_ptr<const mime::Message> structure;
  std::shared_ptr<const std::string> raw;
  // With ranged reads: the bytes of each kSection item (partial applied),
  // by its index in the FETCH items; std::nullopt for a missing section.
  std::vector<std::optional<std::string>> sections;
  std::string preview;  // RFC 8970, when asked for
};

// True for an item served from one contiguous span of the stored message,
// so that only that span (after <partial>) needs to be read.
bool IsContiguousSection(const FetchAttr& a) {
  return a.kind == K::kSection && a.text != FetchAttr::Text::kHeaderFields &&
         a.text != FetchAttr::Text::kHeaderFieldsNot;
}

// The byte range of `span` that `a`'s <partial> selects.
mime::Span Narrow(mime::Span span, const FetchAttr& a) {
  if (!a.partial) return span;
  if (a.partial->first >= span.size) return {span.end(), 0};
  return {span.offset + a.partial->first,
          std::min<uint64_t>(a.partial->second, span.size - a.partial->first)};
}

}  // namespace

Task<std::string> Session::HandleFetch(Command& c) {
  const FetchArgs& args = c.fetch;
  // FLAGS in this answer must include what other sessions changed: pull
  // first. New messages are announced (EXISTS) before any FETCH names them;
  // expunges stay pending until a command allows them.
  if (changed_->load()) {
    co_await PullChanges();
    if (!view_) co_return "NO [UNAVAILABLE] The selected mailbox no longer exists";
    AnnounceUpdates(/*allow_expunge=*/false, c.uid, /*announce_flags=*/false);
  }
  absl::StatusOr<std::vector<uint32_t>> seqs = SelectMessages(args.set, c.uid);
  if (!seqs.ok()) co_return std::string(seqs.status().message());
  if (args.vanished && !qresync_) co_return "BAD QRESYNC is not enabled";

  bool want_modseq = args.changed_since.has_value();
  bool want_flags = false;
  bool need_structure = false;
  bool need_raw = false;
  bool sets_seen = false;
  bool want_preview = false;
  bool need_details = false;
  for (const FetchAttr& a : args.attrs) {
    need_details = need_details || NeedsDetails(a);
    want_preview = want_preview || a.kind == K::kPreview;
    want_modseq = want_modseq || a.kind == K::kModSeq;
    want_flags = want_flags || a.kind == K::kFlags;
    need_structure = need_structure || NeedsStructure(a);
    need_raw = need_raw || NeedsRaw(a);
    sets_seen = sets_seen || SetsSeen(a);
  }
  if (want_modseq) EnableCondstore();
  // Sections that are spans of the stored message (BODY[2]<0.4096> of a
  // 50 MB message) are read by range, from the offsets in the structure,
  // instead of loading the whole message.
  bool ranged =
      need_raw && std::all_of(args.attrs.begin(), args.attrs.end(),
                              [](const FetchAttr& a) {
                                return !NeedsRaw(a) || IsContiguousSection(a);
                              });
  // BODY[] alone is the whole message: one plain read, no structure.
  const bool whole_only = std::all_of(
      args.attrs.begin(), args.attrs.end(), [](const FetchAttr& a) {
        return !NeedsRaw(a) || (a.kind == K::kSection && a.part.empty() &&
                                a.text == FetchAttr::Text::kAll && !a.partial);
      });
  ranged = ranged && !whole_only;
  if (ranged) {
    need_raw = false;
    need_structure = true;
  }
  const store::MailboxId id = view_->id();

  // VANISHED (EARLIER): expunges since CHANGEDSINCE within the UID set.
  if (args.vanished) {
    const store::ModSeq since = *args.changed_since;
    absl::StatusOr<store::Changes> changes = co_await plugin::Blocking(
        conn_, [&] { return store_.ChangesSince(principal_, id, since); });
    if (changes.ok()) {
      const auto ranges = args.set.Resolve(view_->max_uid());
      std::vector<uint32_t> gone;
      for (store::Uid uid : changes->vanished) {
        if (RangesContain(ranges, uid) && !view_->SeqOf(uid)) gone.push_back(uid);
      }
      if (!gone.empty()) {
        Untagged(absl::StrCat("VANISHED (EARLIER) ", FormatNumberSet(gone)));
      }
    }
  }

  std::vector<uint32_t> targets;
  for (uint32_t seq : *seqs) {
    if (args.changed_since && view_->ModSeqAt(seq) <= *args.changed_since) {
      continue;
    }
    targets.push_back(seq);
  }

  // Implicit \Seen first, so the FETCH responses carry the new flags.
  std::set<store::Uid> newly_seen;
  if (sets_seen && !view_->read_only()) {
    store::StoreFlagsRequest request;
    request.op = store::FlagOp::kAdd;
    request.flags.system = store::kSeen;
    for (uint32_t seq : targets) {
      if (!(view_->SystemFlagsAt(seq) & store::kSeen)) {
        request.uids.push_back(view_->UidAt(seq));
      }
    }
    if (!request.uids.empty()) {
      absl::StatusOr<store::StoreFlagsResult> result =
          co_await plugin::Blocking(
              conn_, [&] { return store_.StoreFlags(principal_, id, request); });
      if (result.ok()) {
        for (const store::MessageMeta& m : result->changed) {
          view_->UpdateMessage(m);
          newly_seen.insert(m.uid);
        }
      }
    }
  }

  auto load = [&](store::Uid uid, const store::MessageMeta* details) {
    Loaded l;
    if (need_details) {
      if (details == nullptr) {
        l.status = absl::NotFoundError("expunged");
        return l;
      }
      l.details = *details;
    }
    if (need_structure) {
      auto s = store_.GetStructure(principal_, id, uid);
      if (!s.ok()) {
        l.status = s.status();
        return l;
      }
      l.structure = std::move(*s);
    }
    if (want_preview) {
      // Only a prefix of the chosen part is read (mime/preview.h).
      if (const mime::Part* part = mime::PreviewPart(*l.structure)) {
        const uint64_t n =
            std::min(part->body.size, mime::PreviewReadBytes(*part));
        auto bytes = n == 0 ? absl::StatusOr<std::string>(std::string())
                            : store_.ReadMessageRange(principal_, id, uid,
                                                      part->body.offset, n);
        if (!bytes.ok()) {
          l.status = bytes.status();
          return l;
        }
        l.preview = mime::PreviewText(*part, *bytes, n < part->body.size);
      }
    }
    if (ranged) {
      l.sections.resize(args.attrs.size());
      for (size_t i = 0; i < args.attrs.size(); ++i) {
        const FetchAttr& a = args.attrs[i];
        if (a.kind != K::kSection) continue;
        absl::StatusOr<mime::Span> span =
            mime::SectionSpan(*l.structure, SpecOf(a));
        if (!span.ok()) continue;  // no such part: NIL
        const mime::Span want = Narrow(*span, a);
        auto bytes = want.size == 0
                         ? absl::StatusOr<std::string>(std::string())
                         : store_.ReadMessageRange(principal_, id, uid,
                                                   want.offset, want.size);
        if (!bytes.ok()) {
          l.status = bytes.status();
          return l;
        }
        l.sections[i] = *std::move(bytes);
      }
    }
    if (need_raw) {
      auto r = store_.ReadMessage(principal_, id, uid);
      if (!r.ok()) {
        l.status = r.status();
        return l;
      }
      l.raw = std::move(*r);
    }
    return l;
  };

  // Messages are loaded in batches, one trip to the worker pool each: a
  // trip per message cost more than the store reads themselves. A batch
  // stops early once it holds kFetchBatchBytes of bodies.
  std::vector<Loaded> batch;
  size_t batch_start = 0;
  std::string failure;
  for (size_t t = 0; t < targets.size(); ++t) {
    const uint32_t seq = targets[t];
    store::MessageMeta meta = view_->MessageAt(seq);
    Loaded loaded;
    if (need_structure || need_raw || need_details) {
      if (t >= batch_start + batch.size()) {
        std::vector<store::Uid> uids;
        for (size_t k = t;
             k < targets.size() && uids.size() < kFetchBatchMessages; ++k) {
          uids.push_back(view_->UidAt(targets[k]));
        }
        batch = co_await plugin::Blocking(conn_, [&] {
          std::vector<store::MessageMeta> details;
          if (need_details) {
            std::vector<store::Uid> sorted = uids;
            std::sort(sorted.begin(), sorted.end());
            auto got = store_.GetMessages(principal_, id, sorted);
            if (!got.ok()) {
              Loaded failed;
              failed.status = got.status();
              return std::vector<Loaded>{std::move(failed)};
            }
            details = std::move(*got);
          }
          std::vector<Loaded> out;
          out.reserve(uids.size());
          uint64_t bytes = 0;
          for (store::Uid uid : uids) {
            auto d = std::lower_bound(
                details.begin(), details.end(), uid,
                [](const store::MessageMeta& m, store::Uid u) {
                  return m.uid < u;
                });
            const bool found = d != details.end() && d->uid == uid;
            out.push_back(load(uid, found ? &*d : nullptr));
            const Loaded& l = out.back();
            if (l.raw) bytes += l.raw->size();
            for (const auto& section : l.sections) {
              if (section) bytes += section->size();
            }
            if (bytes >= kFetchBatchBytes) break;
          }
          return out;
        });
        batch_start = t;
      }
      loaded = std::move(batch[t - batch_start]);
      if (!loaded.status.ok()) {
        // Expunged by another session meanwhile (RFC 2180 section 4.1):
        // skip it; the EXPUNGE follows later.
        if (loaded.status.code() == absl::StatusCode::kNotFound) continue;
        co_return ResponseForStatus(loaded.status);
      }
      if (need_details) {
        loaded.details.flags = std::move(meta.flags);
        loaded.details.modseq = meta.modseq;
        meta = std::move(loaded.details);
      }
    }
    const std::string_view raw =
        loaded.raw ? std::string_view(*loaded.raw) : std::string_view();

    std::vector<std::string> items;
    bool has_uid = false;
    bool has_flags = false;
    for (size_t item = 0; item < args.attrs.size(); ++item) {
      const FetchAttr& a = args.attrs[item];
      switch (a.kind) {
        case K::kUid:
          if (!has_uid) items.push_back(absl::StrCat("UID ", meta.uid));
          has_uid = true;
          break;
        case K::kFlags:
          if (!has_flags) items.push_back("FLAGS " + FlagListFor(meta));
          has_flags = true;
          break;
        case K::kModSeq:
          break;  // added once below
        case K::kInternalDate:
          items.push_back("INTERNALDATE " +
                          InternalDateOf(meta.internal_date,
                                         meta.internal_tz_minutes));
          break;
        case K::kSaveDate:  // RFC 8514: NIL when the store has none
          items.push_back(meta.save_date == 0
                              ? std::string("SAVEDATE NIL")
                              : "SAVEDATE " + InternalDateOf(meta.save_date, 0));
          break;
        case K::kRfc822Size:
          items.push_back(absl::StrCat("RFC822.SIZE ", meta.size));
          break;
        case K::kEmailId:  // RFC 8474
          items.push_back(absl::StrCat("EMAILID (", meta.email_id, ")"));
          break;
        case K::kPreview:  // RFC 8970: always made, so never NIL
          items.push_back("PREVIEW " + QuoteString(loaded.preview));
          break;
        case K::kThreadId:
          items.push_back(meta.thread_id.empty()
                              ? std::string("THREADID NIL")
                              : absl::StrCat("THREADID (", meta.thread_id, ")"));
          break;
        case K::kEnvelope:
          items.push_back("ENVELOPE " + mime::Envelope(*loaded.structure));
          break;
        case K::kBody:
          items.push_back("BODY " +
                          mime::BodyStructure(*loaded.structure, raw, false));
          break;
        case K::kBodyStructure:
          items.push_back("BODYSTRUCTURE " +
                          mime::BodyStructure(*loaded.structure, raw, true));
          break;
        case K::kRfc822:
          items.push_back("RFC822 " + LiteralOf(raw));
          break;
        case K::kRfc822Header:
        case K::kRfc822Text: {
          mime::SectionSpec spec;
          spec.text = a.kind == K::kRfc822Header ? mime::SectionSpec::Text::kHeader
                                                 : mime::SectionSpec::Text::kText;
          auto data = mime::FetchSection(*loaded.structure, raw, spec);
          items.push_back(absl::StrCat(
              a.kind == K::kRfc822Header ? "RFC822.HEADER " : "RFC822.TEXT ",
              LiteralOf(data.ok() ? *data : std::string())));
          break;
        }
        case K::kSection: {
          if (ranged) {
            const std::optional<std::string>& data = loaded.sections[item];
            items.push_back(absl::StrCat(
                a.ResponseName(), " ",
                data.has_value() ? LiteralOf(*data) : std::string("NIL")));
            break;
          }
          auto data = mime::FetchSection(*loaded.structure, raw, SpecOf(a));
          items.push_back(absl::StrCat(
              a.ResponseName(), " ",
              data.ok() ? LiteralOf(Partial(*data, a)) : std::string("NIL")));
          break;
        }
        case K::kBinary: {
          auto data = mime::FetchBinary(*loaded.structure, raw, a.part);
          if (!data.ok()) {
            if (data.status().code() == absl::StatusCode::kUnimplemented) {
              failure = "NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding";
            }
            items.push_back(a.ResponseName() + " NIL");
            break;
          }
          items.push_back(absl::StrCat(a.ResponseName(), " ",
                                       BinaryLiteral(Partial(*data, a))));
          break;
        }
        case K::kBinarySize: {
          auto size = mime::BinarySize(*loaded.structure, raw, a.part);
          if (!size.ok()) {
            if (size.status().code() == absl::StatusCode::kUnimplemented) {
              failure = "NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding";
            }
            items.push_back(a.ResponseName() + " NIL");
            break;
          }
          items.push_back(absl::StrCat(a.ResponseName(), " ", *size));
          break;
        }
      }
    }
    if (c.uid && !has_uid) {
      items.insert(items.begin(), absl::StrCat("UID ", meta.uid));
    }
    if (!has_flags && newly_seen.count(meta.uid)) {
      items.push_back("FLAGS " + FlagListFor(meta));
      has_flags = true;
    }
    if (want_modseq || (condstore_ && has_flags)) {
      items.push_back(absl::StrCat("MODSEQ (", meta.modseq, ")"));
    }
    std::string line = absl::StrCat(seq, " FETCH (");
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) line += " ";
      line += items[i];
    }
    line += ")";
    Untagged(line);
    if (!co_await MaybeFlush()) co_return "";
  }
  if (!failure.empty()) co_return failure;
  co_return "OK FETCH completed";
}

}  // namespace mailroom::imap
