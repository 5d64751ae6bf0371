// FETCH and UID FETCH: every RFC 9051 / RFC 3501 item, BINARY (RFC 3516),
// MODSEQ with CHANGEDSINCE and VANISHED (RFC 7162), EMAILID and THREADID
// (RFC 8474), PREVIEW (RFC 8970). Structure, envelope and
// section bytes come from //mime:imap.
#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "mime/imap.h"
#include "mime/preview.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"
#include "protocols/imap/structure_text_cache.h"

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

// BODY[HEADER], BODY[HEADER.FIELDS[.NOT] (...)] and RFC822.HEADER of the
// message itself: cut from its header block, which the text cache keeps.
bool IsTopHeader(const FetchAttr& a) {
  if (a.kind == K::kRfc822Header) return true;
  return a.kind == K::kSection && a.part.empty() &&
         (a.text == FetchAttr::Text::kHeader ||
          a.text == FetchAttr::Text::kHeaderFields ||
          a.text == FetchAttr::Text::kHeaderFieldsNot);
}

// Header blocks above this size are served but not cached.
constexpr size_t kMaxCachedHeaderBytes = 64 << 10;

bool NeedsRaw(const FetchAttr& a) {
  if (IsTopHeader(a)) return false;
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
// Without message bytes a batch is records, structures and cached texts
// (about a kilobyte a message): larger batches, fewer trips to the pool.
constexpr size_t kFetchBatchMessagesNoBytes = 1024;
// The first batch of a FETCH is this small and each next one twice the
// last (up to the limits above), so the first responses leave at once and
// the client reads them while the rest is loaded.
constexpr size_t kFirstFetchBatchMessages = 32;
constexpr uint64_t kFetchBatchBytes = 4 << 20;

using TextKind = StructureTextCache::Kind;

size_t Slot(TextKind kind) { return static_cast<size_t>(kind); }

struct Loaded {
  absl::Status status;
  store::MessageMeta details;  // dates, size and ids, when asked for
  std::string blob_id;         // when known: keys the text cache
  // ENVELOPE, BODY and BODYSTRUCTURE texts and the header block asked for
  // (by TextKind), from the cache or made on the worker; shared with the
  // cache, not copied.
  std::array<std::shared_ptr<const std::string>, 4> texts;
  std::shared_ptr<const mime::Message> structure;
  std::shared_ptr<const std::string> raw;
  // With ranged reads: the bytes of each kSection item (partial applied),
  // by its index in the FETCH items; std::nullopt for a missing section.
  std::vector<std::optional<std::string>> sections;
  std::string preview;  // RFC 8970, when asked for

  const std::string& Text(TextKind kind) const {
    static const std::string* const kNone = new std::string();
    const std::shared_ptr<const std::string>& text = texts[Slot(kind)];
    return text != nullptr ? *text : *kNone;
  }
};

// True for an item served from one span of the stored message, so that
// only that span needs to be read: the section itself (after <partial>),
// or for HEADER.FIELDS[.NOT] the header block it picks its fields from.
bool IsRangedSection(const FetchAttr& a) { return a.kind == K::kSection; }

bool IsHeaderFields(const FetchAttr& a) {
  return a.text == FetchAttr::Text::kHeaderFields ||
         a.text == FetchAttr::Text::kHeaderFieldsNot;
}

// BODY[] or BODY.PEEK[] (with or without <partial>): a view of the stored
// bytes, served without the structure and without copying the message.
bool IsWholeMessage(const FetchAttr& a) {
  return a.kind == K::kSection && a.part.empty() &&
         a.text == FetchAttr::Text::kAll;
}

// The cache kind of an item served from the text cache, if it is one.
std::optional<TextKind> CachedKind(const FetchAttr& a) {
  switch (a.kind) {
    case K::kEnvelope: return TextKind::kEnvelope;
    case K::kBody: return TextKind::kBody;
    case K::kBodyStructure: return TextKind::kBodyStructure;
    default: break;
  }
  if (IsTopHeader(a)) return TextKind::kHeader;
  return std::nullopt;
}

// The bytes of `raw` that `a`'s <partial> selects.
std::string_view PartialView(std::string_view raw, const FetchAttr& a) {
  if (!a.partial) return raw;
  if (a.partial->first >= raw.size()) return std::string_view();
  return raw.substr(a.partial->first, a.partial->second);
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
                                return !NeedsRaw(a) || IsRangedSection(a);
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
  } else {
    need_structure = std::any_of(
        args.attrs.begin(), args.attrs.end(), [](const FetchAttr& a) {
          return NeedsStructure(a) && !IsWholeMessage(a);
        });
  }
  const store::MailboxId id = view_->id();
  // When the structure serves only ENVELOPE, BODY and BODYSTRUCTURE, a
  // message whose texts are all cached needs no structure read.
  StructureTextCache& texts = StructureTextCache::Global();
  std::vector<TextKind> cached_kinds;
  bool structure_for_texts_only = need_structure && !need_raw && !ranged &&
                                  !want_preview;
  for (const FetchAttr& a : args.attrs) {
    if (std::optional<TextKind> kind = CachedKind(a)) {
      // Several header items share one cached header block.
      if (std::find(cached_kinds.begin(), cached_kinds.end(), *kind) ==
          cached_kinds.end()) {
        cached_kinds.push_back(*kind);
      }
    } else if (NeedsStructure(a) && !IsWholeMessage(a)) {
      structure_for_texts_only = false;
    }
  }
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

  // Message details and body ids are read for a whole batch at once, and
  // so are the structures of the messages whose texts are not all cached.
  const bool need_meta = need_details || structure_for_texts_only;
  // Reads what `l` (with its structure, when needed) still lacks: cached
  // texts, preview, sections, bytes. Runs on the worker.
  auto load = [&](store::Uid uid, Loaded& l) {
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
          return;
        }
        l.preview = mime::PreviewText(*part, *bytes, n < part->body.size);
      }
    }
    if (ranged) {
      l.sections.resize(args.attrs.size());
      for (size_t i = 0; i < args.attrs.size(); ++i) {
        const FetchAttr& a = args.attrs[i];
        // The message's own header comes from the texts (below).
        if (a.kind != K::kSection || IsTopHeader(a)) continue;
        const mime::SectionSpec spec = SpecOf(a);
        if (IsHeaderFields(a)) {
          // Only the header block is read; the body never is.
          mime::SectionSpec header = spec;
          header.text = mime::SectionSpec::Text::kHeader;
          header.fields.clear();
          absl::StatusOr<mime::Span> span =
              mime::SectionSpan(*l.structure, header);
          if (!span.ok()) continue;  // no such part: NIL
          auto bytes = span->size == 0
                           ? absl::StatusOr<std::string>(std::string())
                           : store_.ReadMessageRange(principal_, id, uid,
                                                     span->offset, span->size);
          if (!bytes.ok()) {
            l.status = bytes.status();
            return;
          }
          l.sections[i] = Partial(mime::FilterHeaderFields(*bytes, spec), a);
          continue;
        }
        absl::StatusOr<mime::Span> span = mime::SectionSpan(*l.structure, spec);
        if (!span.ok()) continue;  // no such part: NIL
        const mime::Span want = Narrow(*span, a);
        auto bytes = want.size == 0
                         ? absl::StatusOr<std::string>(std::string())
                         : store_.ReadMessageRange(principal_, id, uid,
                                                   want.offset, want.size);
        if (!bytes.ok()) {
          l.status = bytes.status();
          return;
        }
        l.sections[i] = *std::move(bytes);
      }
    }
    if (need_raw) {
      auto r = store_.ReadMessage(principal_, id, uid);
      if (!r.ok()) {
        l.status = r.status();
        return;
      }
      l.raw = std::move(*r);
    }
    for (TextKind kind : cached_kinds) {
      if (l.texts[Slot(kind)] != nullptr) continue;
      std::shared_ptr<const std::string> text = texts.Share(kind, l.blob_id);
      if (text == nullptr && kind == TextKind::kHeader) {
        // Only the header block is read; the body never is.
        const mime::Span span = l.structure->root.header;
        absl::StatusOr<std::string> bytes =
            l.raw ? std::string(std::string_view(*l.raw).substr(
                        std::min<uint64_t>(span.offset, l.raw->size()),
                        span.size))
            : span.size == 0
                ? std::string()
                : store_.ReadMessageRange(principal_, id, uid, span.offset,
                                          span.size);
        if (!bytes.ok()) {
          l.status = bytes.status();
          return;
        }
        text = bytes->size() <= kMaxCachedHeaderBytes
                   ? texts.InsertShared(kind, l.blob_id, *std::move(bytes))
                   : std::make_shared<const std::string>(*std::move(bytes));
      }
      if (text == nullptr) {
        const std::string_view raw =
            l.raw ? std::string_view(*l.raw) : std::string_view();
        text = texts.InsertShared(
            kind, l.blob_id,
            kind == TextKind::kEnvelope
                ? mime::Envelope(*l.structure)
                : mime::BodyStructure(*l.structure, raw,
                                      kind == TextKind::kBodyStructure));
      }
      l.texts[Slot(kind)] = std::move(text);
    }
  };
  // Loads the messages `uids` (in this order) on the worker, stopping once
  // kFetchBatchBytes of bodies are in. One failed element when the batch
  // cannot be read at all.
  auto load_batch = [&](const std::vector<store::Uid>& uids) {
    auto failed = [](absl::Status status) {
      Loaded l;
      l.status = std::move(status);
      return std::vector<Loaded>{std::move(l)};
    };
    std::vector<store::Uid> sorted = uids;
    std::sort(sorted.begin(), sorted.end());
    std::vector<Loaded> out(uids.size());
    if (need_meta) {
      auto got = store_.GetMessages(principal_, id, sorted);
      if (!got.ok()) return failed(got.status());
      std::vector<store::MessageMeta>& details = *got;
      for (size_t i = 0; i < uids.size(); ++i) {
        auto d = std::lower_bound(
            details.begin(), details.end(), uids[i],
            [](const store::MessageMeta& m, store::Uid u) { return m.uid < u; });
        if (d == details.end() || d->uid != uids[i]) {
          out[i].status = absl::NotFoundError("expunged");
          continue;
        }
        out[i].blob_id = d->blob_id;
        if (need_details) out[i].details = std::move(*d);
      }
    }
    // A message whose texts are all cached needs no structure.
    std::vector<store::Uid> need;
    std::vector<bool> needs_structure(uids.size(), false);
    for (size_t i = 0; i < uids.size(); ++i) {
      if (!out[i].status.ok() || !need_structure) continue;
      bool all_cached = structure_for_texts_only && !out[i].blob_id.empty();
      for (TextKind kind : cached_kinds) {
        if (!all_cached) break;
        std::shared_ptr<const std::string> text =
            texts.Share(kind, out[i].blob_id);
        if (text == nullptr) {
          all_cached = false;
          break;
        }
        out[i].texts[Slot(kind)] = std::move(text);
      }
      if (!all_cached) {
        need.push_back(uids[i]);
        needs_structure[i] = true;
      }
    }
    if (!need.empty()) {
      auto got = store_.GetStructures(principal_, id, need);
      if (!got.ok()) return failed(got.status());
      std::vector<store::MessageStructure>& structures = *got;
      for (size_t i = 0; i < uids.size(); ++i) {
        if (!needs_structure[i]) continue;
        auto s = std::lower_bound(structures.begin(), structures.end(),
                                  uids[i],
                                  [](const store::MessageStructure& m,
                                     store::Uid u) { return m.uid < u; });
        if (s == structures.end() || s->uid != uids[i]) {
          out[i].status = absl::NotFoundError("expunged");
          continue;
        }
        out[i].blob_id = s->blob_id;
        out[i].structure = s->structure;
      }
    }
    uint64_t bytes = 0;
    for (size_t i = 0; i < uids.size(); ++i) {
      Loaded& l = out[i];
      if (!l.status.ok()) continue;
      load(uids[i], l);
      if (l.raw) bytes += l.raw->size();
      for (const auto& section : l.sections) {
        if (section) bytes += section->size();
      }
      if (bytes >= kFetchBatchBytes) {
        out.resize(i + 1);
        break;
      }
    }
    return out;
  };

  // Messages are loaded in batches, one trip to the worker pool each: a
  // trip per message cost more than the store reads themselves. A batch
  // stops early once it holds kFetchBatchBytes of bodies. The responses
  // written so far are sent before each trip, so the client is never idle
  // while the server loads (a reply held back until 256 KiB were written
  // left the client waiting for most of a short FETCH 1:*).
  std::vector<Loaded> batch;
  size_t batch_start = 0;
  const size_t max_batch_messages = need_raw || ranged || want_preview
                                        ? kFetchBatchMessages
                                        : kFetchBatchMessagesNoBytes;
  size_t batch_messages =
      std::min(kFirstFetchBatchMessages, max_batch_messages);
  std::string failure;
  for (size_t t = 0; t < targets.size(); ++t) {
    const uint32_t seq = targets[t];
    store::MessageMeta meta = view_->MessageAt(seq);
    Loaded loaded;
    if (need_details || need_structure || need_raw) {
      if (t >= batch_start + batch.size()) {
        if (conn_.buffered_output() > 0 && !(co_await conn_.Flush()).ok()) {
          co_return "";
        }
        std::vector<store::Uid> uids;
        for (size_t k = t;
             k < targets.size() && uids.size() < batch_messages; ++k) {
          uids.push_back(view_->UidAt(targets[k]));
        }
        batch_messages = std::min(batch_messages * 2, max_batch_messages);
        batch = co_await plugin::Blocking(conn_,
                                          [&] { return load_batch(uids); });
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

    // Each item's text; a literal's bytes may follow as a view of the stored
    // message (bodies[i]), written straight from it.
    std::vector<std::string> items;
    std::vector<std::string_view> bodies;
    auto add = [&](std::string text, std::string_view body = {}) {
      items.push_back(std::move(text));
      bodies.push_back(body);
    };
    bool has_uid = false;
    bool has_flags = false;
    for (size_t item = 0; item < args.attrs.size(); ++item) {
      const FetchAttr& a = args.attrs[item];
      switch (a.kind) {
        case K::kUid:
          if (!has_uid) add(absl::StrCat("UID ", meta.uid));
          has_uid = true;
          break;
        case K::kFlags:
          if (!has_flags) add("FLAGS " + FlagListFor(meta));
          has_flags = true;
          break;
        case K::kModSeq:
          break;  // added once below
        case K::kInternalDate:
          add("INTERNALDATE " + InternalDateOf(meta.internal_date,
                                               meta.internal_tz_minutes));
          break;
        case K::kSaveDate:  // RFC 8514: NIL when the store has none
          add(meta.save_date == 0
                  ? std::string("SAVEDATE NIL")
                  : "SAVEDATE " + InternalDateOf(meta.save_date, 0));
          break;
        case K::kRfc822Size:
          add(absl::StrCat("RFC822.SIZE ", meta.size));
          break;
        case K::kEmailId:  // RFC 8474
          add(absl::StrCat("EMAILID (", meta.email_id, ")"));
          break;
        case K::kPreview:  // RFC 8970: always made, so never NIL
          add("PREVIEW " + QuoteString(loaded.preview));
          break;
        case K::kThreadId:
          add(meta.thread_id.empty()
                  ? std::string("THREADID NIL")
                  : absl::StrCat("THREADID (", meta.thread_id, ")"));
          break;
        // The texts go out as views of the cached strings.
        case K::kEnvelope:
          add("ENVELOPE ", loaded.Text(TextKind::kEnvelope));
          break;
        case K::kBody:
          add("BODY ", loaded.Text(TextKind::kBody));
          break;
        case K::kBodyStructure:
          add("BODYSTRUCTURE ",
              loaded.Text(TextKind::kBodyStructure));
          break;
        case K::kRfc822:
          add(absl::StrCat("RFC822 {", raw.size(), "}\r\n"), raw);
          break;
        case K::kRfc822Header:
          add("RFC822.HEADER " +
              LiteralOf(loaded.Text(TextKind::kHeader)));
          break;
        case K::kRfc822Text: {
          mime::SectionSpec spec;
          spec.text = mime::SectionSpec::Text::kText;
          auto data = mime::FetchSection(*loaded.structure, raw, spec);
          add("RFC822.TEXT " + LiteralOf(data.ok() ? *data : std::string()));
          break;
        }
        case K::kSection: {
          if (IsTopHeader(a)) {
            const std::string& header = loaded.Text(TextKind::kHeader);
            add(absl::StrCat(
                a.ResponseName(), " ",
                LiteralOf(a.text == FetchAttr::Text::kHeader
                              ? Partial(header, a)
                              : Partial(mime::FilterHeaderFields(
                                            header, SpecOf(a)),
                                        a))));
            break;
          }
          if (!ranged && IsWholeMessage(a)) {
            const std::string_view body = PartialView(raw, a);
            add(absl::StrCat(a.ResponseName(), " {", body.size(), "}\r\n"),
                body);
            break;
          }
          if (ranged) {
            const std::optional<std::string>& data = loaded.sections[item];
            add(absl::StrCat(
                a.ResponseName(), " ",
                data.has_value() ? LiteralOf(*data) : std::string("NIL")));
            break;
          }
          auto data = mime::FetchSection(*loaded.structure, raw, SpecOf(a));
          add(absl::StrCat(
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
            add(a.ResponseName() + " NIL");
            break;
          }
          add(absl::StrCat(a.ResponseName(), " ",
                           BinaryLiteral(Partial(*data, a))));
          break;
        }
        case K::kBinarySize: {
          auto size = mime::BinarySize(*loaded.structure, raw, a.part);
          if (!size.ok()) {
            if (size.status().code() == absl::StatusCode::kUnimplemented) {
              failure = "NO [UNKNOWN-CTE] Unknown Content-Transfer-Encoding";
            }
            add(a.ResponseName() + " NIL");
            break;
          }
          add(absl::StrCat(a.ResponseName(), " ", *size));
          break;
        }
      }
    }
    if (c.uid && !has_uid) {
      items.insert(items.begin(), absl::StrCat("UID ", meta.uid));
      bodies.insert(bodies.begin(), std::string_view());
    }
    if (!has_flags && newly_seen.count(meta.uid)) {
      add("FLAGS " + FlagListFor(meta));
      has_flags = true;
    }
    if (want_modseq || (condstore_ && has_flags)) {
      add(absl::StrCat("MODSEQ (", meta.modseq, ")"));
    }
    // Written piece by piece: a message body is copied once, into the
    // connection's buffer.
    conn_.Write(absl::StrCat("* ", seq, " FETCH ("));
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) conn_.Write(" ");
      conn_.Write(items[i]);
      if (!bodies[i].empty()) conn_.Write(bodies[i]);
    }
    conn_.Write(")\r\n");
    if (!co_await MaybeFlush()) co_return "";
  }
  if (!failure.empty()) co_return failure;
  co_return "OK FETCH completed";
}

}  // namespace mailroom::imap
