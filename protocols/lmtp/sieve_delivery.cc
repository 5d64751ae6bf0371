#include "protocols/lmtp/sieve_delivery.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "protocols/lmtp/outbound_mail.h"
#include "protocols/lmtp/sieve_environment.h"
#include "protocols/lmtp/sieve_message.h"
#include "sieve/interpreter.h"
#include "sieve/result.h"
#include "sieve/vacation.h"

namespace mailroom::lmtp {
namespace {

absl::string_view AsAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Reads the integer option `name` into `value` when present.
template <typename T>
absl::Status ReadOption(const std::map<std::string, std::string>& options,
                        const std::string& name, T min, T max, T* value) {
  auto it = options.find(name);
  if (it == options.end()) return absl::OkStatus();
  int64_t parsed = 0;
  if (!absl::SimpleAtoi(it->second, &parsed) || parsed < static_cast<int64_t>(min) ||
      parsed > static_cast<int64_t>(max)) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, " must be a number from ", min, " to ", max, ", not \"",
        it->second, "\""));
  }
  *value = static_cast<T>(parsed);
  return absl::OkStatus();
}

// One store filing of a recipient's message.
struct Filing {
  store::DeliveryTarget target;
  bool is_keep = false;  // the keep; else a fileinto that falls back to it
  std::string mailbox;   // as the script named it, for the log
};

// What a recipient's scripts decided.
struct Plan {
  bool ran = false;  // false: no script; a plain delivery
  std::optional<std::string> reject;
  std::vector<Filing> filings;
  std::vector<std::string> redirects;
  std::vector<sieve::VacationRequest> vacations;
  std::vector<sieve::DuplicateMark> marks;
  std::vector<std::string> log;
};

// Vacation memory in the store: the test and the mark happen in one store
// transaction (TestAndSetSieveMark), so two deliveries at once cannot both
// answer. A store failure holds the reply back (better no reply than a
// storm of them).
class StoreVacationMemory : public sieve::VacationMemory {
 public:
  StoreVacationMemory(store::MailStore& store, const store::Principal& host,
                      std::string owner, int64_t seconds,
                      std::vector<std::string>* log)
      : store_(store), host_(host), owner_(std::move(owner)),
        seconds_(seconds), log_(log) {}

  bool Contains(std::string_view key, absl::Time now) override {
    int64_t t = absl::ToUnixSeconds(now);
    absl::StatusOr<bool> marked = store_.TestAndSetSieveMark(
        host_, owner_, absl::StrCat(kVacationMarkPrefix, AsAbsl(key)), t,
        t + seconds_, /*extend=*/false);
    if (!marked.ok()) {
      log_->push_back(absl::StrCat("vacation memory: ",
                                   marked.status().ToString()));
      return true;
    }
    return *marked;
  }
  void Remember(std::string_view, absl::Time) override {}  // done above

 private:
  store::MailStore& store_;
  const store::Principal& host_;
  const std::string owner_;
  const int64_t seconds_;
  std::vector<std::string>* log_;
};

bool IsInbox(std::string_view name) {
  return absl::EqualsIgnoreCase(AsAbsl(name), "INBOX");
}

// Runs the before/personal/after sequence for one recipient.
Plan PlanRecipient(const SieveDeliveryContext& c, const SieveRecipient& r,
                   std::string_view data) {
  Plan plan;
  store::MailStore& store = *c.store;
  const store::Principal host = c.principal("");
  const std::string& owner = r.target.user;

  struct Source {
    std::string owner;  // "" for global
    std::string name;
    std::string text;
  };
  std::vector<Source> sequence;
  auto global = [&](std::string_view name) -> bool {
    absl::StatusOr<std::string> text = store.GetSieveScript(host, "", name);
    if (text.ok()) {
      sequence.push_back({"", std::string(name), std::move(*text)});
    } else if (text.status().code() != absl::StatusCode::kNotFound) {
      if (text.status().code() == absl::StatusCode::kUnimplemented) return false;
      plan.log.push_back(absl::StrCat("sieve: global script ", AsAbsl(name),
                                      " not read: ", text.status().ToString()));
    }
    return true;
  };
  if (!global(store::kSieveBeforeScript)) return plan;  // no Sieve in store
  absl::StatusOr<std::optional<store::SieveScript>> active =
      store.GetActiveSieveScript(host, owner);
  if (active.ok()) {
    if (active->has_value()) {
      store::SieveScript script = std::move(**active);
      sequence.push_back({owner, std::move(script.name), std::move(script.source)});
    }
  } else {
    plan.log.push_back(absl::StrCat("sieve: active script of ", owner,
                                    " not read: ", active.status().ToString()));
  }
  global(store::kSieveAfterScript);
  if (sequence.empty()) return plan;

  plan.ran = true;
  DeliveredMessage message(data, c.reverse_path, r.address);
  EnvironmentFacts facts{c.hostname, r.domain, c.remote_ip};
  DeliveryEnvironment env(store, c.principal(owner), host, owner, facts, c.now);
  bool keep = true;
  std::vector<std::string> keep_flags;
  std::vector<Filing> fileintos;
  for (const Source& source : sequence) {
    const std::string label =
        source.owner.empty() ? absl::StrCat("global script ", source.name)
                             : absl::StrCat("script ", source.name, " of ", owner);
    absl::StatusOr<std::shared_ptr<const sieve::Script>> script =
        c.cache->Get(source.owner, source.text, c.settings->options.limits);
    if (!script.ok()) {
      plan.log.push_back(absl::StrCat("sieve: ", label, " does not compile (",
                                      script.status().message(), "); kept"));
      keep = true;
      keep_flags.clear();
      break;
    }
    // The internal flags variable carries on from the script before, as
    // Pigeonhole's sieve_before does.
    sieve::RunResult result =
        sieve::Run(**script, message, env, c.settings->options, keep_flags);
    for (const std::string& problem : env.problems()) {
      plan.log.push_back(absl::StrCat("sieve: ", label, ": ", problem));
    }
    if (!result.status.ok()) {
      plan.log.push_back(absl::StrCat("sieve: ", label, " failed (",
                                      result.status.message(), "); kept"));
      keep = true;
      keep_flags.clear();
      break;
    }
    bool kept = result.implicit_keep;
    std::vector<std::string> flags = result.implicit_keep_flags;
    for (sieve::Action& action : result.actions) {
      switch (action.kind) {
        case sieve::Action::Kind::kKeep:
          kept = true;
          flags = action.flags;
          break;
        case sieve::Action::Kind::kFileInto: {
          Filing f;
          f.mailbox = action.mailbox;
          f.target.user = owner;
          f.target.mailbox = action.mailbox;
          f.target.flags = ToStoreFlags(action.flags);
          f.target.as_user = true;
          f.target.create = action.create;
          fileintos.push_back(std::move(f));
          break;
        }
        case sieve::Action::Kind::kRedirect:
          plan.redirects.push_back(action.address);
          break;
        case sieve::Action::Kind::kDiscard:
          break;  // the cancelled implicit keep says it all
        case sieve::Action::Kind::kReject:
        case sieve::Action::Kind::kEreject:
          plan.reject = action.reason;
          break;
        case sieve::Action::Kind::kVacation:
          plan.vacations.push_back(action.vacation);
          break;
      }
    }
    for (sieve::DuplicateMark& mark : result.duplicate_marks) {
      plan.marks.push_back(std::move(mark));
    }
    if (plan.reject.has_value()) {
      plan.log.push_back(absl::StrCat("sieve: ", label, " rejected the message"));
      plan.filings.clear();
      plan.redirects.clear();
      plan.vacations.clear();
      plan.marks.clear();
      return plan;
    }
    keep = kept;
    keep_flags = std::move(flags);
    if (!kept) break;
  }
  // A fileinto of one mailbox by two scripts, or of INBOX beside a keep
  // that goes there, stores one copy.
  if (keep) {
    Filing f;
    f.is_keep = true;
    f.mailbox = r.target.mailbox;
    f.target = r.target;
    f.target.flags = ToStoreFlags(keep_flags);
    plan.filings.push_back(std::move(f));
  }
  for (Filing& f : fileintos) {
    bool duplicate = false;
    for (const Filing& g : plan.filings) {
      if (g.mailbox == f.mailbox ||
          (g.is_keep && IsInbox(g.mailbox) && IsInbox(f.mailbox))) {
        duplicate = true;
      }
    }
    if (!duplicate) plan.filings.push_back(std::move(f));
  }
  return plan;
}

// The recipient's own addresses the vacation rules know: the address as
// given, without its "+detail", at every local domain.
sieve::VacationRecipient VacationRecipientOf(const SieveDeliveryContext& c,
                                             const SieveRecipient& r) {
  sieve::VacationRecipient v;
  v.address = r.address;
  for (const std::string& domain : c.local_domains) {
    v.other_addresses.push_back(absl::StrCat(r.target.user, "@", domain));
  }
  return v;
}

}  // namespace

absl::StatusOr<SieveSettings> SieveSettingsFromOptions(
    const std::map<std::string, std::string>& options) {
  SieveSettings s;
  auto it = options.find("lmtp.sieve");
  if (it != options.end()) {
    std::string v = absl::AsciiStrToLower(it->second);
    if (v == "true" || v == "yes" || v == "on" || v == "1") {
      s.enabled = true;
    } else if (v == "false" || v == "no" || v == "off" || v == "0") {
      s.enabled = false;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("lmtp.sieve must be true or false, not \"", it->second, "\""));
    }
  }
  sieve::Limits& l = s.options.limits;
  absl::Status status = ReadOption(options, "lmtp.sieve_max_actions", 1, 10000, &l.max_actions);
  if (status.ok()) status = ReadOption(options, "lmtp.sieve_max_redirects", 0, 100, &l.max_redirects);
  if (status.ok()) {
    status = ReadOption<uint64_t>(options, "lmtp.sieve_max_steps", 1000,
                                  uint64_t{1} << 40, &l.max_steps);
  }
  if (status.ok()) {
    status = ReadOption(options, "lmtp.sieve_max_include_depth", 0, 64,
                        &l.max_include_depth);
  }
  if (status.ok()) {
    status = ReadOption<size_t>(options, "lmtp.sieve_cache_scripts", 0, 1000000,
                                &s.cache_scripts);
  }
  if (!status.ok()) return status;
  return s;
}

ScriptCache& SharedScriptCache(size_t capacity) {
  static ScriptCache* cache = new ScriptCache(capacity);
  return *cache;
}

std::string RejectReplyText(std::string_view reason) {
  std::string out;
  for (char c : reason) {
    if (out.size() >= 200) break;
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else if (u < 0x20 || u >= 0x7f) {
      out.push_back('?');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.empty()) out = "Message rejected";
  return out;
}

store::Flags ToStoreFlags(const std::vector<std::string>& names) {
  store::Flags flags;
  for (const std::string& name : names) {
    if (name.empty()) continue;
    if (name[0] == '\\') {
      std::string lower = absl::AsciiStrToLower(name);
      if (lower == "\\seen") flags.system |= store::kSeen;
      if (lower == "\\answered") flags.system |= store::kAnswered;
      if (lower == "\\flagged") flags.system |= store::kFlagged;
      if (lower == "\\deleted") flags.system |= store::kDeleted;
      if (lower == "\\draft") flags.system |= store::kDraft;
      continue;
    }
    bool atom = true;
    for (char c : name) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || absl::StrContains("(){%*\"\\]", c)) {
        atom = false;
      }
    }
    if (atom) flags.keywords.push_back(name);
  }
  std::sort(flags.keywords.begin(), flags.keywords.end());
  flags.keywords.erase(std::unique(flags.keywords.begin(), flags.keywords.end()),
                       flags.keywords.end());
  return flags;
}

std::vector<RecipientOutcome> DeliverWithSieve(
    const SieveDeliveryContext& c, const std::vector<SieveRecipient>& recipients,
    std::string_view data) {
  store::MailStore& store = *c.store;
  const store::Principal host = c.principal("");
  std::vector<RecipientOutcome> outcomes(recipients.size());
  std::vector<Plan> plans(recipients.size());

  // 1. Decide, then store every filing of every recipient at once.
  std::vector<store::DeliveryTarget> targets;
  std::vector<std::pair<size_t, size_t>> owner_of;  // recipient, filing
  for (size_t i = 0; i < recipients.size(); ++i) {
    const SieveRecipient& r = recipients[i];
    if (c.settings->enabled) plans[i] = PlanRecipient(c, r, data);
    Plan& plan = plans[i];
    outcomes[i].log = plan.log;
    if (plan.reject.has_value()) {
      outcomes[i].reject_reason = plan.reject;
      continue;
    }
    if (!plan.ran) {
      plan.filings.push_back(Filing{r.target, true, r.target.mailbox});
    }
    for (size_t k = 0; k < plan.filings.size(); ++k) {
      targets.push_back(plan.filings[k].target);
      owner_of.emplace_back(i, k);
    }
  }
  std::vector<absl::StatusOr<store::AppendResult>> results;
  if (!targets.empty()) results = store.Deliver(targets, data);

  // 2. Per recipient: which filings held, and whether to fall back to a
  // keep (a failed fileinto, or a redirect that could not be queued).
  std::vector<bool> stored(recipients.size(), false);
  std::vector<bool> keep_failed(recipients.size(), false);
  std::vector<bool> needs_keep(recipients.size(), false);
  std::vector<absl::Status> first_error(recipients.size());
  for (size_t t = 0; t < targets.size(); ++t) {
    auto [i, k] = owner_of[t];
    const Filing& f = plans[i].filings[k];
    absl::Status status = t < results.size()
                              ? results[t].status()
                              : absl::InternalError("missing delivery result");
    if (status.ok()) {
      stored[i] = true;
      continue;
    }
    if (first_error[i].ok()) first_error[i] = status;
    if (f.is_keep) {
      keep_failed[i] = true;
      outcomes[i].log.push_back(absl::StrCat("deliver to ", f.target.user, ": ",
                                             status.ToString()));
    } else {
      needs_keep[i] = true;
      outcomes[i].log.push_back(absl::StrCat("sieve: fileinto \"", f.mailbox,
                                             "\" failed (", status.ToString(),
                                             "); kept in INBOX"));
    }
  }

  // 3. Outbound mail and marks, for recipients whose scripts ran.
  for (size_t i = 0; i < recipients.size(); ++i) {
    Plan& plan = plans[i];
    if (!plan.ran || plan.reject.has_value()) continue;
    if (!plan.filings.empty() && !stored[i] && !needs_keep[i]) continue;
    const SieveRecipient& r = recipients[i];
    const std::string& owner = r.target.user;
    for (const std::string& to : plan.redirects) {
      if (RedirectWouldLoop(data, r.address)) {
        outcomes[i].log.push_back(absl::StrCat(
            "sieve: redirect to ", to, " skipped: the message loops; kept"));
        needs_keep[i] = true;
        continue;
      }
      absl::StatusOr<std::string> id = store.QueueOutbound(
          host, ComposeRedirect(data, c.reverse_path, r.address, to));
      if (id.ok()) {
        outcomes[i].log.push_back(absl::StrCat("sieve: redirected to ", to,
                                               " (queued ", *id, ")"));
      } else {
        outcomes[i].log.push_back(absl::StrCat("sieve: redirect to ", to,
                                               " not queued (",
                                               id.status().ToString(), ")"));
        if (!stored[i]) needs_keep[i] = true;
      }
    }
    if (!plan.vacations.empty()) {
      DeliveredMessage message(data, c.reverse_path, r.address);
      sieve::VacationRecipient me = VacationRecipientOf(c, r);
      for (const sieve::VacationRequest& request : plan.vacations) {
        StoreVacationMemory memory(store, host, owner, request.seconds,
                                   &outcomes[i].log);
        sieve::VacationDecision decision =
            sieve::DecideVacation(request, message, me, memory, c.now);
        if (!decision.send) {
          outcomes[i].log.push_back(
              absl::StrCat("sieve: vacation not sent: ", decision.why_not));
          continue;
        }
        absl::StatusOr<std::string> id = store.QueueOutbound(
            host, ComposeVacationReply(decision.reply, c.hostname, c.now));
        outcomes[i].log.push_back(
            id.ok() ? absl::StrCat("sieve: vacation reply to ", decision.reply.to,
                                   " (queued ", *id, ")")
                    : absl::StrCat("sieve: vacation reply not queued (",
                                   id.status().ToString(), ")"));
      }
    }
    int64_t now = absl::ToUnixSeconds(c.now);
    for (const sieve::DuplicateMark& mark : plan.marks) {
      absl::StatusOr<bool> set = store.TestAndSetSieveMark(
          host, owner, absl::StrCat(kDuplicateMarkPrefix, mark.key), now,
          now + mark.seconds, mark.last);
      if (!set.ok()) {
        outcomes[i].log.push_back(
            absl::StrCat("sieve: duplicate id not recorded (",
                         set.status().ToString(), ")"));
      }
    }
  }

  // 4. Fallback keeps in one more store call; the keep target is where a
  // plain delivery goes (it may itself have failed: then that error holds).
  std::vector<store::DeliveryTarget> fallback;
  std::vector<size_t> fallback_of;
  for (size_t i = 0; i < recipients.size(); ++i) {
    if (!needs_keep[i] || keep_failed[i]) continue;
    bool kept_already = false;
    for (size_t t = 0; t < targets.size(); ++t) {
      if (owner_of[t].first == i && plans[i].filings[owner_of[t].second].is_keep &&
          results.size() > t && results[t].ok()) {
        kept_already = true;
      }
    }
    if (kept_already) continue;
    fallback.push_back(recipients[i].target);
    fallback_of.push_back(i);
  }
  if (!fallback.empty()) {
    std::vector<absl::StatusOr<store::AppendResult>> kept =
        store.Deliver(fallback, data);
    for (size_t n = 0; n < fallback.size(); ++n) {
      size_t i = fallback_of[n];
      absl::Status status = n < kept.size() ? kept[n].status()
                                            : absl::InternalError("missing delivery result");
      if (status.ok()) {
        stored[i] = true;
      } else {
        if (first_error[i].ok()) first_error[i] = status;
        outcomes[i].log.push_back(absl::StrCat("deliver to ", recipients[i].target.user,
                                               ": ", status.ToString()));
      }
    }
  }

  for (size_t i = 0; i < recipients.size(); ++i) {
    if (outcomes[i].reject_reason.has_value()) continue;
    // Nothing to store (discard, redirect only) or something stored: done.
    bool done = stored[i] || (plans[i].ran && plans[i].filings.empty() &&
                              !needs_keep[i]);
    outcomes[i].status = done ? absl::OkStatus()
                              : (first_error[i].ok()
                                     ? absl::InternalError("message not stored")
                                     : first_error[i]);
  }
  return outcomes;
}

}  // namespace mailroom::lmtp
