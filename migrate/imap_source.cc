#include "migrate/imap_source.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/mutf7.h"

namespace mailroom::migrate {
namespace {

struct Namespace {
  std::string prefix;
  std::string separator;
};

struct Namespaces {
  std::vector<Namespace> personal;
  std::vector<std::string> foreign_prefixes;  // other users', shared
};

std::vector<Namespace> ParseNamespaceList(const ImapValue& v) {
  std::vector<Namespace> out;
  if (v.kind != ImapValue::kList) return out;
  for (const ImapValue& entry : v.items) {
    if (entry.kind != ImapValue::kList || entry.items.size() < 2) continue;
    out.push_back({entry.items[0].str(), entry.items[1].str()});
  }
  return out;
}

absl::StatusOr<Namespaces> ReadNamespaces(ImapClient& client) {
  Namespaces ns;
  if (!client.HasCapability("NAMESPACE") &&
      !client.HasCapability("IMAP4REV2")) {
    return ns;
  }
  absl::Status status = client.Run("NAMESPACE", [&](ImapResponse& r) {
    if (r.values.size() >= 4 && r.values[0].IsAtom("NAMESPACE")) {
      ns.personal = ParseNamespaceList(r.values[1]);
      for (int i = 2; i <= 3; ++i) {
        for (const Namespace& n : ParseNamespaceList(r.values[i])) {
          ns.foreign_prefixes.push_back(n.prefix);
        }
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return ns;
}

std::optional<std::string> SpecialUseOf(const ImapValue& attributes,
                                        std::vector<std::string>* unsupported) {
  std::optional<std::string> found;
  for (const ImapValue& a : attributes.items) {
    if (a.kind != ImapValue::kAtom || !absl::StartsWith(a.text, "\\")) continue;
    const std::string name = a.text.substr(1);
    for (std::string_view known_std : store::kSpecialUses) {
      const absl::string_view known(known_std.data(), known_std.size());
      if (absl::EqualsIgnoreCase(name, known)) found = std::string(known);
    }
    if (!found && (absl::EqualsIgnoreCase(name, "All") ||
                   absl::EqualsIgnoreCase(name, "Flagged") ||
                   absl::EqualsIgnoreCase(name, "Important"))) {
      unsupported->push_back(a.text);
    }
  }
  return found;
}

bool HasAttribute(const ImapValue& attributes, absl::string_view name) {
  for (const ImapValue& a : attributes.items) {
    if (a.kind == ImapValue::kAtom && absl::EqualsIgnoreCase(a.text, name)) {
      return true;
    }
  }
  return false;
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

store::Flags ParseFlags(const std::vector<std::string>& flags) {
  store::Flags out;
  std::set<std::string> keywords;
  for (const std::string& f : flags) {
    if (absl::StartsWith(f, "\\")) {
      const std::string lower = absl::AsciiStrToLower(f);
      if (lower == "\\seen") out.system |= store::kSeen;
      if (lower == "\\answered") out.system |= store::kAnswered;
      if (lower == "\\flagged") out.system |= store::kFlagged;
      if (lower == "\\deleted") out.system |= store::kDeleted;
      if (lower == "\\draft") out.system |= store::kDraft;
      continue;  // \Recent and unknown system flags are not kept
    }
    if (!f.empty()) keywords.insert(f);
  }
  out.keywords.assign(keywords.begin(), keywords.end());
  return out;
}

bool ParseInternalDate(absl::string_view text, int64_t* unix_seconds,
                       int32_t* tz_minutes) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz", the day possibly space-padded.
  text = absl::StripAsciiWhitespace(text);
  std::vector<absl::string_view> parts = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (parts.size() != 3) return false;
  std::vector<absl::string_view> date = absl::StrSplit(parts[0], '-');
  std::vector<absl::string_view> time = absl::StrSplit(parts[1], ':');
  if (date.size() != 3 || time.size() != 3 || parts[2].size() != 5) return false;
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, zone = 0;
  int month = 0;
  for (int m = 0; m < 12; ++m) {
    if (absl::EqualsIgnoreCase(date[1], kMonths[m])) month = m + 1;
  }
  if (month == 0 || !absl::SimpleAtoi(date[0], &day) ||
      !absl::SimpleAtoi(date[2], &year) || !absl::SimpleAtoi(time[0], &hour) ||
      !absl::SimpleAtoi(time[1], &minute) ||
      !absl::SimpleAtoi(time[2], &second) ||
      !absl::SimpleAtoi(parts[2].substr(1), &zone)) {
    return false;
  }
  const int sign = parts[2][0] == '-' ? -1 : 1;
  const int offset_minutes = sign * ((zone / 100) * 60 + zone % 100);
  const absl::Time utc_wall = absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second),
      absl::UTCTimeZone());
  *unix_seconds = absl::ToUnixSeconds(utc_wall) - offset_minutes * 60;
  *tz_minutes = offset_minutes;
  return true;
}

std::string UidSet(const std::vector<uint32_t>& uids) {
  std::string out;
  size_t i = 0;
  while (i < uids.size()) {
    size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out.push_back(',');
    absl::StrAppend(&out, uids[i]);
    if (j > i) absl::StrAppend(&out, ":", uids[j]);
    i = j + 1;
  }
  return out;
}

absl::StatusOr<SourceListing> ListSourceFolders(ImapClient& client) {
  SourceListing listing;
  // Names arrive in UTF-8 once UTF8=ACCEPT is enabled (IMAP4rev2 also
  // needs ENABLE); else in modified UTF-7.
  bool utf8 = false;
  if (client.HasCapability("UTF8=ACCEPT")) {
    utf8 = client.Run("ENABLE UTF8=ACCEPT").ok();
  }
  absl::StatusOr<Namespaces> ns = ReadNamespaces(client);
  if (!ns.ok()) return ns.status();
  std::string prefix, separator;
  if (!ns->personal.empty()) {
    prefix = ns->personal[0].prefix;
    separator = ns->personal[0].separator;
  }
  for (const std::string& foreign : ns->foreign_prefixes) {
    listing.notes.push_back(absl::StrCat(
        "the namespace \"", foreign,
        "\" (other users' or shared folders) is not migrated"));
  }

  struct Listed {
    ImapValue attributes;
    std::string separator;
    bool subscribed = false;
  };
  std::map<std::string, Listed> listed;
  std::set<std::string> lsub;
  const bool extended = client.HasCapability("LIST-EXTENDED");
  const bool special_use = client.HasCapability("SPECIAL-USE");
  std::string list_command = "LIST \"\" \"*\"";
  if (extended) {
    list_command += special_use ? " RETURN (SUBSCRIBED SPECIAL-USE)"
                                : " RETURN (SUBSCRIBED)";
  }
  absl::Status status = client.Run(list_command, [&](ImapResponse& r) {
    if (r.values.size() >= 4 && r.values[0].IsAtom("LIST")) {
      Listed entry{r.values[1], r.values[2].str(), false};
      entry.subscribed = HasAttribute(r.values[1], "\\Subscribed");
      listed[r.values[3].str()] = std::move(entry);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!extended) {
    status = client.Run("LSUB \"\" \"*\"", [&](ImapResponse& r) {
      if (r.values.size() >= 4 && r.values[0].IsAtom("LSUB")) {
        lsub.insert(r.values[3].str());
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
  }

  std::set<std::string> local_names;
  for (auto& [raw, entry] : listed) {
    std::string name = raw;
    bool foreign = false;
    for (const std::string& p : ns->foreign_prefixes) {
      if (!p.empty() && absl::StartsWith(name, p)) foreign = true;
    }
    if (foreign) continue;
    const std::string sep = entry.separator.empty() ? separator : entry.separator;
    SourceFolder folder;
    folder.source_name = raw;
    folder.selectable = !HasAttribute(entry.attributes, "\\Noselect") &&
                        !HasAttribute(entry.attributes, "\\NonExistent");
    folder.subscribed = entry.subscribed || lsub.count(raw) > 0;
    std::vector<std::string> unsupported;
    folder.special_use = SpecialUseOf(entry.attributes, &unsupported);
    for (const std::string& u : unsupported) {
      listing.notes.push_back(absl::StrCat("special-use ", u, " of \"", raw,
                                           "\" has no Mailroom equivalent"));
    }
    // INBOX (any case) is INBOX; the personal prefix ("INBOX." on some
    // servers) is dropped.
    if (absl::EqualsIgnoreCase(name, "INBOX")) {
      name = "INBOX";
    } else if (!prefix.empty() && absl::StartsWith(name, prefix)) {
      name = name.substr(prefix.size());
    } else if (!prefix.empty() && !sep.empty() &&
               absl::EndsWith(prefix, sep) &&
               name == prefix.substr(0, prefix.size() - sep.size())) {
      continue;  // the namespace's own root
    }
    if (!utf8) {
      // The old server's own spelling: read leniently.
      absl::StatusOr<std::string> decoded =
          base::DecodeMutf7(name, base::Mutf7Decoding::kLenient);
      if (!decoded.ok()) {
        listing.notes.push_back(absl::StrCat("folder \"", raw, "\" skipped: ",
                                             decoded.status().message()));
        continue;
      }
      name = *decoded;
    }
    if (!sep.empty() && sep != "/") {
      std::vector<std::string> levels = absl::StrSplit(name, sep);
      for (std::string& level : levels) {
        if (level.find('/') != std::string::npos) {
          listing.notes.push_back(absl::StrCat(
              "folder \"", raw, "\": '/' in a name level became '_'"));
          std::replace(level.begin(), level.end(), '/', '_');
        }
      }
      name = absl::StrJoin(levels, "/");
    }
    if (absl::StartsWithIgnoreCase(name, "INBOX/")) {
      name = "INBOX" + name.substr(5);
    }
    if (name.empty() || !local_names.insert(name).second) {
      listing.notes.push_back(
          absl::StrCat("folder \"", raw, "\" skipped: its name is empty or "
                                         "collides with another folder"));
      continue;
    }
    folder.local_name = name;
    listing.folders.push_back(std::move(folder));
  }
  std::sort(listing.folders.begin(), listing.folders.end(),
            [](const SourceFolder& a, const SourceFolder& b) {
              return a.local_name < b.local_name;
            });
  return listing;
}

absl::StatusOr<SelectedFolder> ExamineFolder(ImapClient& client,
                                             const std::string& source_name) {
  SelectedFolder folder;
  absl::Status status = client.Run(
      absl::StrCat("EXAMINE ", client.Astring(source_name)),
      [&](ImapResponse& r) {
        if (absl::StartsWithIgnoreCase(r.code, "UIDVALIDITY ")) {
          (void)absl::SimpleAtoi(r.code.substr(12), &folder.uidvalidity);
        } else if (absl::StartsWithIgnoreCase(r.code, "UIDNEXT ")) {
          (void)absl::SimpleAtoi(r.code.substr(8), &folder.uidnext);
        } else if (r.values.size() == 2 && r.values[1].IsAtom("EXISTS")) {
          (void)absl::SimpleAtoi(r.values[0].text, &folder.exists);
        }
        return absl::OkStatus();
      });
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat("EXAMINE ", source_name,
                                                    ": ", status.message()));
  }
  if (folder.uidvalidity == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the server sent no UIDVALIDITY for ", source_name));
  }
  return folder;
}

namespace {

// One FETCH response's attributes into `m`; false when it is not FETCH.
bool ParseFetch(const ImapResponse& r, SourceMessage* m, bool* has_body) {
  if (r.values.size() != 3 || !r.values[1].IsAtom("FETCH") ||
      r.values[2].kind != ImapValue::kList) {
    return false;
  }
  const std::vector<ImapValue>& items = r.values[2].items;
  *has_body = false;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    const ImapValue& key = items[i];
    const ImapValue& value = items[i + 1];
    if (key.IsAtom("UID")) {
      (void)absl::SimpleAtoi(value.text, &m->uid);
    } else if (key.IsAtom("FLAGS")) {
      std::vector<std::string> flags;
      for (const ImapValue& f : value.items) flags.push_back(f.text);
      m->flags = ParseFlags(flags);
    } else if (key.IsAtom("INTERNALDATE")) {
      (void)ParseInternalDate(value.text, &m->internal_date, &m->tz_minutes);
    } else if (key.IsAtom("RFC822.SIZE")) {
      (void)absl::SimpleAtoi(value.text, &m->size);
    } else if (key.IsAtom("BODY[]")) {
      m->body = value.text;
      m->size = m->body.size();
      *has_body = true;
    }
  }
  return m->uid != 0;
}

}  // namespace

absl::StatusOr<std::vector<SourceMessage>> FetchMessageList(ImapClient& client) {
  std::vector<SourceMessage> messages;
  absl::Status status = client.Run(
      "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)",
      [&](ImapResponse& r) {
        SourceMessage m;
        bool has_body = false;
        if (ParseFetch(r, &m, &has_body)) messages.push_back(std::move(m));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  std::sort(messages.begin(), messages.end(),
            [](const SourceMessage& a, const SourceMessage& b) {
              return a.uid < b.uid;
            });
  return messages;
}

absl::StatusOr<std::string> SendBodyFetch(ImapClient& client,
                                          const std::vector<uint32_t>& uids) {
  return client.Send(absl::StrCat("UID FETCH ", UidSet(uids),
                                  " (UID FLAGS INTERNALDATE BODY.PEEK[])"));
}

absl::StatusOr<std::vector<SourceMessage>> ReceiveBodyFetch(
    ImapClient& client, const std::string& tag) {
  std::vector<SourceMessage> messages;
  absl::Status status = client.Wait(tag, [&](ImapResponse& r) {
    SourceMessage m;
    bool has_body = false;
    if (ParseFetch(r, &m, &has_body) && has_body) {
      messages.push_back(std::move(m));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  std::sort(messages.begin(), messages.end(),
            [](const SourceMessage& a, const SourceMessage& b) {
              return a.uid < b.uid;
            });
  return messages;
}

}  // namespace mailroom::migrate
