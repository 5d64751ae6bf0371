#include "server/admin/message_commands.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "mime/header.h"
#include "mime/message.h"
#include "mime/text.h"
#include "server/admin/flag_names.h"
#include "server/admin/message_query.h"

namespace mailroom::server::admin {
namespace {

// A mailbox the command works on.
struct Target {
  std::string name;
  store::MailboxId id = 0;
};

// MAILBOX: a name, or "*" for every selectable mailbox USER owns.
absl::StatusOr<std::vector<Target>> ResolveTargets(
    const AdminContext& ctx, const store::Principal& who,
    const std::string& mailbox) {
  std::vector<Target> targets;
  if (mailbox != "*") {
    absl::StatusOr<store::MailboxStatus> status =
        ctx.store.GetStatus(who, mailbox);
    if (!status.ok()) return status.status();
    targets.push_back({mailbox, status->id});
    return targets;
  }
  absl::StatusOr<std::vector<store::MailboxInfo>> boxes =
      ctx.store.ListMailboxes(who);
  if (!boxes.ok()) return boxes.status();
  for (const store::MailboxInfo& box : *boxes) {
    if (box.noselect) continue;
    if (!box.owner.empty() && box.owner != who.user()) continue;
    targets.push_back({box.name, box.id});
  }
  return targets;
}

// UIDs of `target` matching `key`; "*" in uid sets is its highest UID.
absl::StatusOr<std::vector<store::Uid>> Matching(const AdminContext& ctx,
                                                 const store::Principal& who,
                                                 const Target& target,
                                                 const store::SearchKey& key) {
  if (!UsesHighestUid(key)) return ctx.store.Search(who, target.id, key);
  absl::StatusOr<std::vector<store::Uid>> all =
      ctx.store.Search(who, target.id, store::SearchKey());
  if (!all.ok()) return all.status();
  store::SearchKey resolved = key;
  ResolveHighestUid(resolved, all->empty() ? 0 : all->back());
  return ctx.store.Search(who, target.id, resolved);
}

// What every query command shares: USER, MAILBOX and the parsed query.
struct Selection {
  store::Principal who;
  std::vector<Target> targets;
  store::SearchKey key;
};

// Parses positional[first] = USER, [first + 1] = MAILBOX, then the query
// words up to `end`. Returns an exit code on failure (usage or store).
std::optional<int> Select(const AdminContext& ctx, const ParsedArgs& a,
                          size_t first, size_t end, std::string_view usage,
                          Selection* selection) {
  const std::vector<std::string>& p = a.positional;
  if (end < first + 2 || p.size() < first + 2) return Usage(ctx, a, usage);
  std::vector<std::string> words(p.begin() + first + 2, p.begin() + end);
  absl::StatusOr<store::SearchKey> key = ParseMessageQuery(words);
  if (!key.ok()) return Usage(ctx, a, std::string(key.status().message()));
  selection->who = AdminFor(p[first]);
  selection->key = *std::move(key);
  absl::StatusOr<std::vector<Target>> targets =
      ResolveTargets(ctx, selection->who, p[first + 1]);
  if (!targets.ok()) return Fail(ctx, a, targets.status());
  selection->targets = *std::move(targets);
  return std::nullopt;
}

absl::Status CancelledStatus() {
  return absl::CancelledError("the admin client went away");
}

std::string Rfc3339(int64_t seconds, int32_t tz_minutes) {
  const absl::TimeZone zone = absl::FixedTimeZone(tz_minutes * 60);
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", absl::FromUnixSeconds(seconds),
                          zone);
}

// --- fetch ----------------------------------------------------------------

const std::vector<std::string>& FetchFieldNames() {
  static const auto* names = new std::vector<std::string>{
      "mailbox", "uid",     "flags", "size",       "date", "saved",
      "subject", "from",    "to",    "message-id", "hdr",  "body",
      "text"};
  return *names;
}

// The raw header block and body of a message.
struct RawParts {
  std::string_view header;
  std::string_view body;
};

RawParts SplitRaw(std::string_view raw) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\n') continue;
    if (i + 1 < raw.size() && raw[i + 1] == '\n') {
      return {raw.substr(0, i + 2), raw.substr(i + 2)};
    }
    if (i + 2 < raw.size() && raw[i + 1] == '\r' && raw[i + 2] == '\n') {
      return {raw.substr(0, i + 3), raw.substr(i + 3)};
    }
  }
  return {raw, {}};
}

// The first field `name` of the header, unfolded and RFC 2047-decoded.
std::optional<std::string> HeaderValue(std::string_view header,
                                       std::string_view name) {
  for (const mime::HeaderField& field :
       mime::SplitHeader(header, mime::Span{0, header.size()})) {
    if (mime::EqualsIgnoreCase(field.name, name)) {
      return mime::DecodeHeaderValue(mime::Unfold(field.value));
    }
  }
  return std::nullopt;
}

nlohmann::json OptionalJson(const std::optional<std::string>& value) {
  return value.has_value() ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

int SearchCommand(const AdminContext& ctx, const ParsedArgs& a) {
  Selection s;
  if (std::optional<int> code = Select(ctx, a, 1, a.positional.size(),
                                       "search USER MAILBOX QUERY...", &s)) {
    return *code;
  }
  const bool every = a.positional[2] == "*";
  std::string text;
  nlohmann::json results = nlohmann::json::array();
  uint64_t count = 0;
  for (const Target& target : s.targets) {
    if (ctx.Cancelled()) return Fail(ctx, a, CancelledStatus());
    absl::StatusOr<std::vector<store::Uid>> uids =
        Matching(ctx, s.who, target, s.key);
    if (!uids.ok()) return Fail(ctx, a, uids.status());
    count += uids->size();
    for (store::Uid uid : *uids) {
      absl::StrAppend(&text, every ? target.name + "\t" : "", uid, "\n");
    }
    results.push_back({{"mailbox", target.name}, {"uids", *uids}});
  }
  return Reply(ctx, a, {{"ok", true}, {"count", count}, {"results", results}},
               text);
}

int FetchCommand(const AdminContext& ctx, const ParsedArgs& a) {
  std::vector<std::string> fields = absl::StrSplit(
      a.Has("fields") ? a.Get("fields") : "uid,flags,size,date,subject,from",
      ',', absl::SkipWhitespace());
  for (std::string& field : fields) {
    field = absl::AsciiStrToLower(absl::StripAsciiWhitespace(field));
    const auto& known = FetchFieldNames();
    if (std::find(known.begin(), known.end(), field) == known.end()) {
      return Usage(ctx, a,
                   "unknown fetch field '" + field +
                       "' (known: " + absl::StrJoin(known, ",") + ")");
    }
  }
  if (fields.empty()) return Usage(ctx, a, "--fields is empty");
  Selection s;
  if (std::optional<int> code =
          Select(ctx, a, 1, a.positional.size(),
                 "fetch USER MAILBOX QUERY... [--fields=F,...]", &s)) {
    return *code;
  }
  const bool base64 = a.Has("base64");
  const std::set<std::string> want(fields.begin(), fields.end());
  const bool needs_raw =
      want.count("subject") || want.count("from") || want.count("to") ||
      want.count("message-id") || want.count("hdr") || want.count("body") ||
      want.count("text");
  nlohmann::json messages = nlohmann::json::array();
  const bool json = a.json();
  for (const Target& target : s.targets) {
    absl::StatusOr<std::vector<store::Uid>> uids =
        Matching(ctx, s.who, target, s.key);
    if (!uids.ok()) return Fail(ctx, a, uids.status());
    absl::StatusOr<std::vector<store::MessageMeta>> metas =
        ctx.store.GetMessages(s.who, target.id, *uids);
    if (!metas.ok()) return Fail(ctx, a, metas.status());
    for (const store::MessageMeta& meta : *metas) {
      if (ctx.Cancelled()) return Fail(ctx, a, CancelledStatus());
      std::shared_ptr<const std::string> raw;
      RawParts parts;
      if (needs_raw) {
        absl::StatusOr<std::shared_ptr<const std::string>> read =
            ctx.store.ReadMessage(s.who, target.id, meta.uid);
        if (absl::IsNotFound(read.status())) continue;  // expunged meanwhile
        if (!read.ok()) return Fail(ctx, a, read.status());
        raw = *std::move(read);
        parts = SplitRaw(*raw);
      }
      nlohmann::json doc = nlohmann::json::object();
      std::string text;
      for (const std::string& field : fields) {
        nlohmann::json value;
        std::string shown;
        bool raw_field = false;
        if (field == "mailbox") {
          value = target.name;
        } else if (field == "uid") {
          value = meta.uid;
        } else if (field == "flags") {
          value = FlagsText(meta.flags);
        } else if (field == "size") {
          value = meta.size;
        } else if (field == "date") {
          value = Rfc3339(meta.internal_date, meta.internal_tz_minutes);
        } else if (field == "saved") {
          value = Rfc3339(meta.save_date, 0);
        } else if (field == "subject" || field == "from" || field == "to" ||
                   field == "message-id") {
          value = OptionalJson(HeaderValue(parts.header, field));
        } else {
          raw_field = true;
          const std::string_view bytes = field == "hdr"    ? parts.header
                                         : field == "body" ? parts.body
                                                           : std::string_view(*raw);
          if (json && base64) {
            doc[field + "_base64"] =
                absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
            continue;
          }
          value = std::string(bytes);
        }
        if (json) {
          doc[field] = value;
          continue;
        }
        if (raw_field) {
          absl::StrAppend(&text, field, ":\n", value.get<std::string>(), "\n");
        } else if (value.is_string()) {
          absl::StrAppend(&text, field, ": ", value.get<std::string>(), "\n");
        } else if (value.is_null()) {
          absl::StrAppend(&text, field, ":\n");
        } else {
          absl::StrAppend(&text, field, ": ", value.dump(), "\n");
        }
      }
      if (json) {
        messages.push_back(std::move(doc));
      } else {
        // A form feed line ends each message (bodies may hold blank lines).
        ctx.out << text << "\f\n";
      }
    }
  }
  if (json) {
    return Reply(ctx, a,
                 {{"ok", true},
                  {"count", messages.size()},
                  {"messages", messages}},
                 "");
  }
  return kExitOk;
}

int FlagsCommand(const AdminContext& ctx, const ParsedArgs& a) {
  static constexpr std::string_view kUsage =
      "flags add|remove|replace USER MAILBOX QUERY... -- FLAG... "
      "(or --flags=\"FLAG ...\")";
  const std::vector<std::string>& p = a.positional;
  const std::string verb = p.size() > 1 ? p[1] : "";
  store::FlagOp op;
  if (verb == "add") {
    op = store::FlagOp::kAdd;
  } else if (verb == "remove") {
    op = store::FlagOp::kRemove;
  } else if (verb == "replace") {
    op = store::FlagOp::kReplace;
  } else {
    return Usage(ctx, a, kUsage);
  }
  // The flags: after "--", or in --flags.
  const auto dashes = std::find(p.begin(), p.end(), "--");
  const bool has_dashes = dashes != p.end();
  if (has_dashes == a.Has("flags")) {
    return Usage(ctx, a,
                 "name the flags either after '--' or with --flags, once");
  }
  std::vector<std::string> words;
  if (has_dashes) {
    words.assign(dashes + 1, p.end());
  } else {
    words = absl::StrSplit(a.Get("flags"), ' ', absl::SkipWhitespace());
  }
  store::Flags flags;
  std::string error;
  if (!ParseFlags(words, &flags, &error)) return Usage(ctx, a, error);
  if (op != store::FlagOp::kReplace && flags.system == 0 &&
      flags.keywords.empty()) {
    return Usage(ctx, a, "flags " + verb + " needs at least one flag");
  }
  Selection s;
  const size_t end = static_cast<size_t>(dashes - p.begin());
  if (std::optional<int> code = Select(ctx, a, 2, end, kUsage, &s)) {
    return *code;
  }
  uint64_t matched = 0, changed = 0;
  nlohmann::json results = nlohmann::json::array();
  for (const Target& target : s.targets) {
    if (ctx.Cancelled()) return Fail(ctx, a, CancelledStatus());
    absl::StatusOr<std::vector<store::Uid>> uids =
        Matching(ctx, s.who, target, s.key);
    if (!uids.ok()) return Fail(ctx, a, uids.status());
    if (uids->empty()) continue;
    store::StoreFlagsRequest request;
    request.uids = *uids;
    request.op = op;
    request.flags = flags;
    absl::StatusOr<store::StoreFlagsResult> result =
        ctx.store.StoreFlags(s.who, target.id, request);
    if (!result.ok()) return Fail(ctx, a, result.status());
    matched += uids->size();
    changed += result->changed.size();
    std::vector<store::Uid> changed_uids;
    for (const store::MessageMeta& m : result->changed) {
      changed_uids.push_back(m.uid);
    }
    results.push_back({{"mailbox", target.name},
                       {"matched", uids->size()},
                       {"changed", changed_uids}});
  }
  return Reply(ctx, a,
               {{"ok", true},
                {"matched", matched},
                {"changed", changed},
                {"results", results}},
               absl::StrCat("flags changed on ", changed, " of ", matched,
                            " matching message(s)\n"));
}

int ExpungeCommand(const AdminContext& ctx, const ParsedArgs& a) {
  if (a.positional.size() == 3) {
    // Every message of the mailbox goes only when asked for by name.
    return Usage(ctx, a, "expunge needs a QUERY (use 'all' for every message)");
  }
  Selection s;
  if (std::optional<int> code = Select(ctx, a, 1, a.positional.size(),
                                       "expunge USER MAILBOX QUERY...", &s)) {
    return *code;
  }
  uint64_t expunged = 0;
  nlohmann::json results = nlohmann::json::array();
  for (const Target& target : s.targets) {
    if (ctx.Cancelled()) return Fail(ctx, a, CancelledStatus());
    absl::StatusOr<std::vector<store::Uid>> uids =
        Matching(ctx, s.who, target, s.key);
    if (!uids.ok()) return Fail(ctx, a, uids.status());
    if (uids->empty()) continue;
    store::ExpungeRequest request;
    request.only_deleted = false;
    request.uids = *uids;
    absl::StatusOr<std::vector<store::Uid>> gone =
        ctx.store.Expunge(s.who, target.id, request);
    if (!gone.ok()) return Fail(ctx, a, gone.status());
    expunged += gone->size();
    results.push_back({{"mailbox", target.name}, {"uids", *gone}});
  }
  return Reply(ctx, a,
               {{"ok", true}, {"expunged", expunged}, {"results", results}},
               absl::StrCat("expunged ", expunged, " message(s)\n"));
}

int SaveCommand(const AdminContext& ctx, const ParsedArgs& a) {
  const std::vector<std::string>& p = a.positional;
  if (p.size() != 4) {
    return Usage(ctx, a,
                 "save USER MAILBOX FILE [--date=WHEN] [--saved=WHEN] "
                 "[--flags=\"FLAG ...\"]");
  }
  const int64_t now = std::time(nullptr);
  store::AppendRequest request;
  for (const auto& [option, target] :
       {std::pair{"date", &request.internal_date},
        std::pair{"saved", &request.save_date}}) {
    if (!a.Has(option)) continue;
    std::optional<int64_t> when = ParseWhen(a.Get(option), now);
    if (!when) {
      return Usage(ctx, a,
                   absl::StrCat("--", option,
                                " takes YYYY-MM-DD or an age like 40d"));
    }
    *target = *when;
  }
  std::string error;
  if (!ParseFlags(absl::StrSplit(a.Get("flags"), ' ', absl::SkipWhitespace()),
                  &request.flags, &error)) {
    return Usage(ctx, a, error);
  }
  std::ifstream in(p[3], std::ios::binary);
  if (!in) return Fail(ctx, a, absl::NotFoundError("cannot read " + p[3]));
  const std::string data((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  request.data = data;
  absl::StatusOr<store::AppendResult> result =
      ctx.store.Append(AdminFor(p[1]), p[2], {request});
  if (!result.ok()) return Fail(ctx, a, result.status());
  const store::Uid uid = result->uids.empty() ? 0 : result->uids[0];
  return Reply(ctx, a,
               {{"ok", true},
                {"mailbox", p[2]},
                {"uid", uid},
                {"uidvalidity", result->uidvalidity}},
               absl::StrCat("saved as UID ", uid, " in ", p[2], "\n"));
}

std::string MessageCommandsUsage() {
  return MessageQueryHelp() +
         "fetch --fields (comma-separated; default uid,flags,size,date,"
         "subject,from):\n"
         "  mailbox uid flags size date saved subject from to message-id\n"
         "  hdr body text   (raw header block, raw body, whole raw message)\n"
         "  Text output: 'field: value' lines, multi-line fields after "
         "'field:',\n"
         "  a form feed line after each message. With --json, raw fields are\n"
         "  UTF-8 strings (invalid bytes replaced by U+FFFD), or exact bytes "
         "in\n"
         "  base64 under 'hdr_base64', 'body_base64', 'text_base64' with "
         "--base64.\n"
         "flags: \\Seen \\Answered \\Flagged \\Deleted \\Draft or keywords; "
         "after '--'\n"
         "  (flags add alice INBOX from bob -- \\Seen '$Label1') or "
         "--flags=\"\\Seen $Label1\".\n"
         "save USER MAILBOX FILE [--date=WHEN] [--saved=WHEN] "
         "[--flags=\"F ...\"]\n"
         "  appends FILE; WHEN is YYYY-MM-DD or an age (40d); --saved sets "
         "the save\n"
         "  date (restores, migrations; default now).\n";
}

}  // namespace mailroom::server::admin
