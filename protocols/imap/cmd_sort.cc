// SORT, UID SORT, THREAD and UID THREAD (RFC 5256) with DISPLAYFROM and
// DISPLAYTO (RFC 5957). Criteria go through the store's search; the sort
// and thread values come from the cached parsed structure (its envelope),
// and the raw header only for References when threading by REFERENCES.
// The algorithms themselves are in sort_thread.cc.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mime/raw_address.h"
#include "mime/text.h"
#include "protocols/imap/esort_response.h"
#include "protocols/imap/mailbox_open.h"
#include "protocols/imap/response.h"
#include "protocols/imap/search_context.h"
#include "protocols/imap/search_in_view.h"
#include "protocols/imap/session.h"
#include "protocols/imap/sort_thread.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

// The unfolded value of the first header field `name` (lower case) in a
// header block, or std::nullopt.
std::optional<std::string> HeaderField(std::string_view header,
                                       std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t eol = header.find('\n', pos);
    if (eol == std::string_view::npos) eol = header.size();
    std::string_view line = header.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.size() <= name.size() || line[name.size()] != ':' ||
        !EqualsNoCase(line.substr(0, name.size()), name)) {
      continue;
    }
    std::string value(line.substr(name.size() + 1));
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == '\t')) {
      eol = header.find('\n', pos);
      if (eol == std::string_view::npos) eol = header.size();
      value.append(header.substr(pos, eol - pos));
      pos = eol + 1;
    }
    for (char& c : value) {
      if (c == '\r' || c == '\n') c = ' ';
    }
    return value;
  }
  return std::nullopt;
}

// The first address of an address-list as the IMAP ENVELOPE gives it
// (RFC 3501 section 7.4.2): a group comes first as its start, an address
// whose mailbox is the group name and whose host is NIL.
std::optional<mime::Address> FirstEnvelopeAddress(
    const std::optional<std::string>& field) {
  if (!field) return std::nullopt;
  const std::vector<mime::RawAddress> list = mime::ParseRawAddressList(*field);
  if (list.empty()) return std::nullopt;
  const mime::RawAddress& r = list.front();
  mime::Address a;
  if (r.kind == mime::RawAddress::Kind::kGroupStart) {
    a.mailbox = mime::DecodeHeaderValue(r.name);
    a.group = a.mailbox;
    return a;
  }
  a.display_name = mime::DecodeHeaderValue(r.name);
  a.mailbox = mime::DecodeHeaderValue(r.mailbox);
  a.domain = mime::DecodeHeaderValue(r.host);
  return a;
}

// RFC 5256 section 3: addr-mailbox of the first address, or "".
std::string FirstMailbox(const std::optional<std::string>& field) {
  const std::optional<mime::Address> a = FirstEnvelopeAddress(field);
  return a ? a->mailbox : "";
}

// RFC 5957 section 3: display name, else mailbox@host, else mailbox (a
// group's name, which the envelope gives as a mailbox without a host).
std::string FirstDisplay(const std::optional<std::string>& field) {
  const std::optional<mime::Address> a = FirstEnvelopeAddress(field);
  if (!a) return "";
  if (!a->display_name.empty()) return a->display_name;
  if (!a->mailbox.empty() && !a->domain.empty()) {
    return absl::StrCat(a->mailbox, "@", a->domain);
  }
  return a->mailbox;
}

bool NeedsEnvelope(const std::vector<SortCriterion>& criteria) {
  for (const SortCriterion& c : criteria) {
    if (c.key != SortKey::kArrival && c.key != SortKey::kSize) return true;
  }
  return false;
}

struct Candidate {
  uint32_t id = 0;  // sequence number or UID, as the client asked
  store::MessageMeta meta;
};

// The parsed structure of a message, or null if it vanished meanwhile.
std::shared_ptr<const mime::Message> LoadStructure(
    store::MailStore& store, const store::Principal& who, store::MailboxId mailbox,
    store::Uid uid) {
  auto structure = store.GetStructure(who, mailbox, uid);
  return structure.ok() ? *std::move(structure) : nullptr;
}

const mime::EnvelopeFields& EnvelopeOf(const mime::Message* message) {
  static const mime::EnvelopeFields kEmpty;
  return message && message->root.envelope ? *message->root.envelope : kEmpty;
}

int64_t SentDate(const mime::EnvelopeFields& env, int64_t internal_date) {
  if (env.date) {
    if (auto d = mime::ParseDate(*env.date)) return d->unix_seconds;
  }
  return internal_date;
}

std::string DecodedSubject(const mime::EnvelopeFields& env) {
  return env.subject ? mime::DecodeHeaderValue(*env.subject) : "";
}

}  // namespace

SortValues Session::SortValuesOf(store::MailboxId mailbox,
                                 const store::MessageMeta& meta, uint32_t id,
                                 bool envelope) {
  SortValues v;
  v.id = id;
  v.arrival = meta.internal_date;
  v.sent_date = meta.internal_date;
  v.size = meta.size;
  if (envelope) {
    const auto structure = LoadStructure(store_, principal_, mailbox, meta.uid);
    const mime::EnvelopeFields& env = EnvelopeOf(structure.get());
    v.sent_date = SentDate(env, meta.internal_date);
    v.from = FirstMailbox(env.from);
    v.to = FirstMailbox(env.to);
    v.cc = FirstMailbox(env.cc);
    v.display_from = FirstDisplay(env.from);
    v.display_to = FirstDisplay(env.to);
    v.base_subject = mime::BaseSubject(DecodedSubject(env));
  }
  return v;
}

Task<std::string> Session::HandleSortThread(Command& c) {
  const bool sort = c.name == CommandName::kSort;
  const char* name = sort ? "SORT" : "THREAD";
  const SearchArgs& args = c.search;
  if (args.charset && !EqualsNoCase(*args.charset, "UTF-8") &&
      !EqualsNoCase(*args.charset, "US-ASCII")) {
    co_return "NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset";
  }
  // As for SEARCH: sequence sets become UID ranges and the view answers
  // what it can, on the worker pool.
  const std::vector<store::Uid> recent = view_->RecentUids();
  const store::MailboxId id = view_->id();
  store::SearchKey key;
  absl::StatusOr<std::vector<store::Uid>> found = co_await plugin::Blocking(
      conn_, [&]() { return SearchSelected(args.key, recent, &key); });
  if (!found.ok()) co_return ResponseForStatus(found.status());

  // Only messages the client knows about (new arrivals come with EXISTS).
  std::vector<Candidate> candidates;
  candidates.reserve(found->size());
  for (store::Uid uid : *found) {
    auto seq = view_->SeqOf(uid);
    if (!seq) continue;
    candidates.push_back({c.uid ? uid : *seq, view_->MessageAt(*seq)});
  }
  {
    std::vector<store::MessageMeta*> metas;
    metas.reserve(candidates.size());
    for (Candidate& m : candidates) metas.push_back(&m.meta);
    absl::Status loaded = co_await plugin::Blocking(conn_, [&] {
      return LoadMessageDetails(store_, principal_, id, std::move(metas));
    });
    if (!loaded.ok()) co_return ResponseForStatus(loaded);
  }

  const SortThreadArgs& st = c.sort_thread;
  std::string line = name;
  if (sort) {
    const bool envelope = NeedsEnvelope(st.criteria);
    std::vector<SortValues> values = co_await plugin::Blocking(conn_, [&] {
      std::vector<SortValues> out;
      out.reserve(candidates.size());
      for (const Candidate& m : candidates) {
        out.push_back(SortValuesOf(id, m.meta, m.id, envelope));
      }
      return out;
    });
    const std::vector<uint32_t> sorted = SortMessages(values, st.criteria);
    if (args.esearch) {  // ESORT: SORT RETURN (...)
      std::string response = EsortResponse(c.tag, c.uid, args.returns, sorted);
      if (args.partial) {
        absl::StrAppend(&response, " ",
                        PartialResponse(*args.partial, sorted, true));
      }
      Untagged(response);
      if (args.update) {
        // The context keeps UIDs and their sort values.
        absl::flat_hash_map<store::Uid, SortValues> by_uid;
        std::vector<store::Uid> result;
        result.reserve(sorted.size());
        for (size_t i = 0; i < candidates.size(); ++i) {
          values[i].id = candidates[i].meta.uid;
        }
        for (uint32_t uid : SortMessages(values, st.criteria)) {
          result.push_back(uid);
        }
        for (SortValues& v : values) by_uid.emplace(v.id, std::move(v));
        KeepSearchContext(c, std::move(key), std::move(result),
                          std::move(by_uid));
      }
      co_return "OK SORT completed";
    }
    for (uint32_t n : sorted) absl::StrAppend(&line, " ", n);
  } else {
    const bool references =
        st.algorithm == SortThreadArgs::Algorithm::kReferences;
    std::vector<ThreadInput> inputs = co_await plugin::Blocking(conn_, [&] {
      std::vector<ThreadInput> out;
      out.reserve(candidates.size());
      for (const Candidate& m : candidates) {
        ThreadInput t;
        t.id = m.id;
        const auto structure =
            LoadStructure(store_, principal_, id, m.meta.uid);
        const mime::EnvelopeFields& env = EnvelopeOf(structure.get());
        t.sent_date = SentDate(env, m.meta.internal_date);
        const std::string subject = DecodedSubject(env);
        t.base_subject = mime::BaseSubject(subject);
        if (references) {
          t.is_reply_or_forward = IsReplyOrForward(subject);
          if (env.message_id) {
            std::vector<std::string> ids = ParseMsgIds(*env.message_id);
            if (!ids.empty()) t.message_id = std::move(ids.front());
          }
          // References is not part of the envelope: read the header.
          auto raw = structure
                         ? store_.ReadMessage(principal_, id, m.meta.uid)
                         : absl::NotFoundError("expunged");
          if (raw.ok()) {
            const mime::Span span = structure->root.header;
            const std::string_view bytes = **raw;
            const std::string_view header =
                span.end() <= bytes.size()
                    ? bytes.substr(span.offset, span.size)
                    : bytes;
            if (auto refs = HeaderField(header, "references")) {
              t.references = ParseMsgIds(*refs);
            }
          }
          if (t.references.empty() && env.in_reply_to) {
            std::vector<std::string> ids = ParseMsgIds(*env.in_reply_to);
            if (!ids.empty()) t.references.push_back(std::move(ids.front()));
          }
        }
        out.push_back(std::move(t));
      }
      return out;
    });
    const std::vector<ThreadNode> threads =
        references ? ThreadReferences(inputs) : ThreadOrderedSubject(inputs);
    if (!threads.empty()) absl::StrAppend(&line, " ", FormatThreads(threads));
  }
  Untagged(line);
  co_return absl::StrCat("OK ", name, " completed");
}

}  // namespace mailroom::imap
