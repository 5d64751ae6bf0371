#include "sieve/interpreter.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sieve/text.h"
#include "base/status_macros.h"
#include "sieve/address.h"
#include "sieve/comparator.h"
#include "sieve/date.h"

namespace mailroom::sieve {
namespace {

enum class Flow { kNext, kStop, kReturn };

// Comparing this many characters costs one step of the budget.
constexpr uint64_t kCharsPerStep = 256;

enum class MatchType { kIs, kContains, kMatches, kCount, kValue };

struct MatchSpec {
  Comparator comparator = Comparator::kAsciiCasemap;
  MatchType type = MatchType::kIs;
  Relation relation = Relation::kEq;
};

// The variables of one script being run (RFC 5229 scope: per script; RFC
// 6609 globals are shared through Runner::globals_).
struct Frame {
  const Script* script = nullptr;
  std::map<std::string, std::string> locals;
  std::set<std::string> globals;  // names declared with `global`
};

// Stable across builds and runs: vacation handles outlive the process.
uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Splits a flag list string into flags, dropping duplicates (ignoring case).
void AddFlags(std::string_view list, std::vector<std::string>* flags) {
  for (std::string_view flag : Split(list, " ", true)) {
    const bool known = std::any_of(flags->begin(), flags->end(), [&](const std::string& f) {
      return EqualsIgnoreCase(f, flag);
    });
    if (!known) flags->emplace_back(flag);
  }
}

size_t Utf8Chars(std::string_view s) {
  return std::count_if(s.begin(), s.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

// Truncates at a character boundary.
void Truncate(std::string* s, size_t max) {
  if (s->size() <= max) return;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>((*s)[cut]) & 0xC0) == 0x80) --cut;
  s->resize(cut);
}

const char* ActionName(Action::Kind kind) {
  switch (kind) {
    case Action::Kind::kKeep: return "keep";
    case Action::Kind::kFileInto: return "fileinto";
    case Action::Kind::kRedirect: return "redirect";
    case Action::Kind::kDiscard: return "discard";
    case Action::Kind::kReject: return "reject";
    case Action::Kind::kEreject: return "ereject";
    case Action::Kind::kVacation: return "vacation";
  }
  return "?";
}

class Runner {
 public:
  Runner(const Message& message, const Environment& env, const Options& options,
         std::vector<std::string> flags)
      : msg_(message),
        env_(env),
        options_(options),
        limits_(options.limits),
        flags_(std::move(flags)) {}

  RunResult Execute(const Script& script) {
    RunResult result;
    Frame frame;
    frame.script = &script;
    absl::StatusOr<Flow> flow = RunScript(&frame, script.commands);
    result.steps = steps_;
    if (!flow.ok()) {
      result.status = flow.status();
      Action keep;
      keep.kind = Action::Kind::kKeep;
      result.actions.push_back(std::move(keep));
      result.implicit_keep = false;
      return result;
    }
    result.actions = std::move(actions_);
    result.implicit_keep = implicit_keep_;
    if (implicit_keep_) result.implicit_keep_flags = flags_;
    result.duplicate_marks = std::move(marks_);
    return result;
  }

 private:
  // --- Budget -------------------------------------------------------------

  absl::Status Step(uint64_t n = 1) {
    steps_ += n;
    if (steps_ > limits_.max_steps) {
      return absl::ResourceExhaustedError(
          Cat("script exceeded its budget of ", limits_.max_steps, " steps"));
    }
    return absl::OkStatus();
  }

  static absl::Status Error(const Node& node, std::string_view message) {
    return absl::FailedPreconditionError(
        Cat(node.pos.line, ":", node.pos.column, ": ", message));
  }

  // --- Variables (RFC 5229) -----------------------------------------------

  bool Variables() const { return frame_->script->Requires("variables"); }

  std::string* Slot(std::string_view name, bool create) {
    std::string key = Lower(name);
    std::map<std::string, std::string>* scope = &frame_->locals;
    if (key.starts_with("global.")) {
      key.erase(0, 7);
      scope = &globals_;
    } else if (frame_->globals.count(key)) {
      scope = &globals_;
    }
    auto it = scope->find(key);
    if (it != scope->end()) return &it->second;
    if (!create) return nullptr;
    return &(*scope)[key];
  }

  absl::Status Assign(const Node& node, std::string_view name, std::string value) {
    std::string* slot = Slot(name, /*create=*/false);
    if (slot == nullptr) {
      if (++variable_count_ > limits_.max_variables) {
        return Error(node, Cat("more than ", limits_.max_variables, " variables"));
      }
      slot = Slot(name, /*create=*/true);
    }
    Truncate(&value, limits_.max_variable_bytes);
    *slot = std::move(value);
    return absl::OkStatus();
  }

  std::string Lookup(std::string_view name) {
    if (!name.empty() && absl::ascii_isdigit(name[0])) {
      size_t index = 0;
      for (char c : name) {
        if (!absl::ascii_isdigit(c)) return "";
        index = std::min<size_t>(index * 10 + (c - '0'), 1u << 20);
      }
      return index < match_.size() ? match_[index] : "";
    }
    const std::string* slot = Slot(name, /*create=*/false);
    return slot ? *slot : "";
  }

  static bool IsVariableReference(std::string_view name) {
    if (name.empty()) return false;
    if (absl::ascii_isdigit(name[0])) {
      return std::all_of(name.begin(), name.end(), absl::ascii_isdigit);
    }
    for (std::string_view part : Split(name, ".", false)) {
      if (part.empty() || !(absl::ascii_isalpha(part[0]) || part[0] == '_')) return false;
      for (char c : part) {
        if (!absl::ascii_isalnum(c) && c != '_') return false;
      }
    }
    return true;
  }

  // "${name}" substitution; anything that is not a reference stays.
  std::string Expand(std::string_view s) {
    if (!Variables() || s.find("${") == std::string_view::npos) return std::string(s);
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
      if (s.compare(i, 2, "${") == 0) {
        const size_t close = s.find('}', i + 2);
        if (close != std::string_view::npos) {
          const std::string_view name = s.substr(i + 2, close - i - 2);
          if (IsVariableReference(name)) {
            out += Lookup(name);
            i = close + 1;
            continue;
          }
        }
      }
      out.push_back(s[i++]);
    }
    Truncate(&out, std::max(limits_.max_variable_bytes, s.size()));
    return out;
  }

  std::vector<std::string> ExpandAll(const Argument& arg) {
    std::vector<std::string> out;
    out.reserve(arg.strings.size());
    for (const std::string& s : arg.strings) out.push_back(Expand(s));
    return out;
  }

  std::string ExpandOne(const Argument& arg) { return Expand(arg.strings[0]); }

  // --- Arguments ----------------------------------------------------------

  static const Argument* Tag(const Node& node, std::string_view name) {
    auto it = node.tags.find(std::string(name));
    return it == node.tags.end() ? nullptr : &it->second;
  }

  absl::StatusOr<MatchSpec> SpecOf(const Node& node) {
    MatchSpec spec;
    if (const Argument* c = Tag(node, "comparator")) {
      spec.comparator = *ParseComparator(c->strings[0]);  // checked when compiled
    }
    if (Tag(node, "contains")) spec.type = MatchType::kContains;
    if (Tag(node, "matches")) spec.type = MatchType::kMatches;
    for (auto [tag, type] : {std::pair{"count", MatchType::kCount},
                             std::pair{"value", MatchType::kValue}}) {
      if (const Argument* r = Tag(node, tag)) {
        const std::string op = ExpandOne(*r);
        const auto relation = ParseRelation(op);
        if (!relation) return Error(node, Cat("unknown relational operator \"", op, "\""));
        spec.type = type;
        spec.relation = *relation;
      }
    }
    return spec;
  }

  // Whether any of `values` matches any of `keys` (RFC 5228 §2.7), or for
  // :count the number of values (RFC 5231).
  absl::StatusOr<bool> Match(const Node& node, const MatchSpec& spec,
                             const std::vector<std::string>& values,
                             const std::vector<std::string>& keys) {
    if (spec.type == MatchType::kCount) {
      const std::string count = Cat(values.size());
      for (const std::string& key : keys) {
        MR_RETURN_IF_ERROR(Step());
        if (Relate(spec.relation, Compare(spec.comparator, count, key))) return true;
      }
      return false;
    }
    std::vector<std::string> captures;
    for (const std::string& value : values) {
      for (const std::string& key : keys) {
        MR_RETURN_IF_ERROR(Step(1 + (value.size() + key.size()) / kCharsPerStep));
        bool hit = false;
        switch (spec.type) {
          case MatchType::kIs:
            hit = Compare(spec.comparator, value, key) == 0;
            break;
          case MatchType::kContains:
            hit = Contains(spec.comparator, value, key);
            break;
          case MatchType::kMatches: {
            // A scan may cost up to value x pattern: it is charged for what
            // it did, and stopped when the budget runs out.
            const uint64_t allowed =
                (limits_.max_steps - std::min(steps_, limits_.max_steps) + 1) * kCharsPerStep;
            uint64_t budget = allowed;
            hit = GlobMatch(spec.comparator, value, key, Variables() ? &captures : nullptr,
                            &budget);
            MR_RETURN_IF_ERROR(Step(budget == 0 ? limits_.max_steps + 1
                                                : (allowed - budget) / kCharsPerStep));
            if (hit && Variables()) {
              if (captures.size() > static_cast<size_t>(limits_.max_match_variables) + 1) {
                captures.resize(limits_.max_match_variables + 1);
              }
              for (std::string& c : captures) Truncate(&c, limits_.max_variable_bytes);
              match_ = std::move(captures);
            }
            break;
          }
          case MatchType::kValue:
            hit = Relate(spec.relation, Compare(spec.comparator, value, key));
            break;
          case MatchType::kCount:
            break;
        }
        if (hit) return true;
      }
    }
    return false;
  }

  absl::StatusOr<bool> MatchNode(const Node& node, const std::vector<std::string>& values) {
    MR_ASSIGN_OR_RETURN(const MatchSpec spec, SpecOf(node));
    return Match(node, spec, values, ExpandAll(node.positional.back()));
  }

  AddressPart PartTag(const Node& node) const {
    if (Tag(node, "localpart")) return AddressPart::kLocalpart;
    if (Tag(node, "domain")) return AddressPart::kDomain;
    if (Tag(node, "user")) return AddressPart::kUser;
    if (Tag(node, "detail")) return AddressPart::kDetail;
    return AddressPart::kAll;
  }

  // --- Tests --------------------------------------------------------------

  absl::StatusOr<bool> Test(const Node& node) {
    MR_RETURN_IF_ERROR(Step());
    const std::string& name = node.name;
    if (name == "true") return true;
    if (name == "false") return false;
    if (name == "not") {
      MR_ASSIGN_OR_RETURN(const bool inner, Test(node.tests[0]));
      return !inner;
    }
    if (name == "allof" || name == "anyof") {
      const bool all = name == "allof";
      for (const Node& test : node.tests) {
        MR_ASSIGN_OR_RETURN(const bool r, Test(test));
        if (r != all) return r;
      }
      return all;
    }
    if (name == "header") {
      std::vector<std::string> values;
      for (const std::string& field : ExpandAll(node.positional[0])) {
        for (std::string& v : msg_.HeaderValues(field, /*decoded=*/true)) {
          values.push_back(std::move(v));
        }
      }
      return MatchNode(node, values);
    }
    if (name == "address" || name == "envelope") {
      const AddressPart part = PartTag(node);
      std::vector<std::string> values;
      for (const std::string& field : ExpandAll(node.positional[0])) {
        std::vector<Address> addresses;
        if (name == "address") {
          for (const std::string& v : msg_.HeaderValues(field, /*decoded=*/false)) {
            for (Address& a : ParseAddressList(v)) addresses.push_back(std::move(a));
          }
        } else if (auto v = msg_.Envelope(Lower(field))) {
          addresses.push_back(ParseAddrSpec(*v));
        }
        for (const Address& a : addresses) {
          if (auto p = PartOf(a, part, options_.subaddress_separators)) {
            values.push_back(std::move(*p));
          }
        }
      }
      return MatchNode(node, values);
    }
    if (name == "exists") {
      for (const std::string& field : ExpandAll(node.positional[0])) {
        if (msg_.HeaderValues(field, /*decoded=*/false).empty()) return false;
      }
      return true;
    }
    if (name == "size") {
      if (const Argument* over = Tag(node, "over")) return msg_.Size() > over->number;
      return msg_.Size() < Tag(node, "under")->number;
    }
    if (name == "hasflag") {
      std::vector<std::string> flags;
      if (node.positional.size() == 2) {
        for (const std::string& var : ExpandAll(node.positional[0])) AddFlags(Lookup(var), &flags);
      } else {
        flags = flags_;
      }
      return MatchNode(node, flags);
    }
    if (name == "string") {
      std::vector<std::string> values;
      for (std::string& v : ExpandAll(node.positional[0])) {
        // RFC 5229 §5: empty strings do not count for :count.
        if (!v.empty() || !Tag(node, "count")) values.push_back(std::move(v));
      }
      return MatchNode(node, values);
    }
    if (name == "body") return BodyTest(node);
    if (name == "date" || name == "currentdate") return DateTest(node);
    if (name == "mailboxexists") {
      for (const std::string& mailbox : ExpandAll(node.positional[0])) {
        if (!env_.MailboxExists(mailbox)) return false;
      }
      return true;
    }
    if (name == "environment") {
      std::vector<std::string> values;
      if (auto item = env_.Item(Lower(ExpandOne(node.positional[0])))) {
        values.push_back(std::move(*item));
      }
      return MatchNode(node, values);
    }
    if (name == "duplicate") return DuplicateTest(node);
    return Error(node, Cat("unknown test '", name, "'"));
  }

  absl::StatusOr<bool> BodyTest(const Node& node) {
    std::vector<std::string> values;
    if (Tag(node, "raw")) {
      values.push_back(msg_.RawBody());
    } else {
      std::vector<std::string> types = {"text"};
      if (const Argument* content = Tag(node, "content")) types = ExpandAll(*content);
      for (BodyPart& part : msg_.BodyParts()) {
        const std::string type = Lower(part.content_type);
        const std::string main = type.substr(0, type.find('/'));
        const bool wanted = std::any_of(types.begin(), types.end(), [&](const std::string& t) {
          const std::string want = Lower(t);
          return want.empty() || want == type ||
                 (want.find('/') == std::string::npos && want == main);
        });
        if (wanted) values.push_back(std::move(part.text));
      }
    }
    MR_ASSIGN_OR_RETURN(MatchSpec spec, SpecOf(node));
    // RFC 5173 §5: the body is searched; :is and :matches apply to it whole.
    return Match(node, spec, values, ExpandAll(node.positional.back()));
  }

  absl::StatusOr<bool> DateTest(const Node& node) {
    const bool current = node.name == "currentdate";
    const std::string part = Lower(ExpandOne(node.positional[node.positional.size() - 2]));
    if (!IsDatePart(part)) return Error(node, Cat("unknown date part \"", part, "\""));
    std::optional<DateTime> when;
    if (current) {
      when = DateTime{env_.Now(), 0};
    } else {
      const std::string field = ExpandOne(node.positional[0]);
      std::vector<std::string> values = msg_.HeaderValues(field, /*decoded=*/false);
      if (!values.empty()) {
        std::string_view v = values[0];
        // RFC 5260 §4: a Received field's date follows its last ";".
        if (EqualsIgnoreCase(field, "received")) {
          const size_t semi = v.rfind(';');
          if (semi != std::string_view::npos) v.remove_prefix(semi + 1);
        }
        when = ParseDateTime(v);
      }
    }
    std::vector<std::string> values;
    if (when) {
      int offset = OffsetAt(env_.LocalZone(), when->time);
      if (const Argument* zone = Tag(node, "zone")) {
        const std::string z = ExpandOne(*zone);
        const auto parsed = ParseZone(z);
        if (!parsed) return Error(node, Cat("invalid zone \"", z, "\""));
        offset = *parsed;
      } else if (Tag(node, "originalzone")) {
        offset = when->offset_minutes;
      }
      values.push_back(DatePart(when->time, offset, part));
    }
    return MatchNode(node, values);
  }

  absl::StatusOr<bool> DuplicateTest(const Node& node) {
    std::string id;
    if (const Argument* unique = Tag(node, "uniqueid")) {
      id = ExpandOne(*unique);
    } else {
      const Argument* header = Tag(node, "header");
      const std::string field = header ? ExpandOne(*header) : "message-id";
      std::vector<std::string> values = msg_.HeaderValues(field, /*decoded=*/false);
      if (values.empty()) return false;  // nothing to track
      id = std::string(Strip(values[0]));
    }
    const Argument* handle = Tag(node, "handle");
    const std::string key = Cat(handle ? ExpandOne(*handle) : "", "\n", id);
    int64_t seconds = options_.duplicate_default_seconds;
    if (const Argument* s = Tag(node, "seconds")) {
      seconds = static_cast<int64_t>(std::min<uint64_t>(s->number, options_.duplicate_max_seconds));
    }
    const bool pending = std::any_of(marks_.begin(), marks_.end(),
                                     [&](const DuplicateMark& m) { return m.key == key; });
    const bool seen = pending || env_.DuplicateSeen(key);
    if (!pending) marks_.push_back({key, seconds, Tag(node, "last") != nullptr});
    return seen;
  }

  // --- Actions ------------------------------------------------------------

  bool Has(Action::Kind kind) const {
    return std::any_of(actions_.begin(), actions_.end(),
                       [&](const Action& a) { return a.kind == kind; });
  }

  absl::Status AddAction(const Node& node, Action action) {
    using K = Action::Kind;
    const bool rejecting = action.kind == K::kReject || action.kind == K::kEreject;
    for (const Action& a : actions_) {
      const bool other_rejects = a.kind == K::kReject || a.kind == K::kEreject;
      const bool delivers = action.kind == K::kKeep || action.kind == K::kFileInto ||
                            action.kind == K::kRedirect || action.kind == K::kVacation;
      const bool other_delivers = a.kind == K::kKeep || a.kind == K::kFileInto ||
                                  a.kind == K::kRedirect || a.kind == K::kVacation;
      if ((rejecting && (other_rejects || other_delivers)) || (other_rejects && delivers)) {
        return Error(node, Cat(ActionName(action.kind), " cannot be combined with ",
                                        ActionName(a.kind)));
      }
    }
    // Duplicates collapse into the earlier action (RFC 5228 §2.10.3).
    for (Action& a : actions_) {
      if (a.kind != action.kind) continue;
      const bool same =
          action.kind == K::kKeep || action.kind == K::kDiscard ||
          (action.kind == K::kFileInto && a.mailbox == action.mailbox) ||
          (action.kind == K::kRedirect && EqualsIgnoreCase(a.address, action.address));
      if (action.kind == K::kVacation) {
        return Error(node, "only one vacation action per run");
      }
      if (!same) continue;
      for (const std::string& f : action.flags) AddFlags(f, &a.flags);
      a.create = a.create || action.create;
      a.copy = a.copy && action.copy;
      if (!action.copy) implicit_keep_ = false;
      return absl::OkStatus();
    }
    if (actions_.size() >= static_cast<size_t>(limits_.max_actions)) {
      return Error(node, Cat("more than ", limits_.max_actions, " actions"));
    }
    if (action.kind == K::kRedirect &&
        std::count_if(actions_.begin(), actions_.end(),
                      [](const Action& a) { return a.kind == K::kRedirect; }) >=
            limits_.max_redirects) {
      return Error(node, Cat("more than ", limits_.max_redirects, " redirects"));
    }
    if (action.kind != K::kVacation && !action.copy) implicit_keep_ = false;
    actions_.push_back(std::move(action));
    return absl::OkStatus();
  }

  // The flags of keep/fileinto: :flags, else the internal variable.
  std::vector<std::string> ActionFlags(const Node& node) {
    std::vector<std::string> flags;
    if (const Argument* list = Tag(node, "flags")) {
      for (const std::string& f : ExpandAll(*list)) AddFlags(f, &flags);
      return flags;
    }
    if (frame_->script->Requires("imap4flags")) return flags_;
    return flags;
  }

  absl::Status FlagCommand(const Node& node) {
    std::vector<std::string> given;
    for (const std::string& f : ExpandAll(node.positional.back())) AddFlags(f, &given);
    std::vector<std::string> current;
    std::string variable;
    if (node.positional.size() == 2) {
      variable = ExpandOne(node.positional[0]);
      AddFlags(Lookup(variable), &current);
    } else {
      current = flags_;
    }
    if (node.name == "setflag") {
      current = given;
    } else if (node.name == "addflag") {
      for (const std::string& f : given) AddFlags(f, &current);
    } else {
      std::erase_if(current, [&](const std::string& f) {
        return std::any_of(given.begin(), given.end(),
                           [&](const std::string& g) { return EqualsIgnoreCase(f, g); });
      });
    }
    if (node.positional.size() == 2) return Assign(node, variable, absl::StrJoin(current, " "));
    flags_ = std::move(current);
    return absl::OkStatus();
  }

  absl::Status SetCommand(const Node& node) {
    std::string value = ExpandOne(node.positional[1]);
    // Modifiers apply from the highest precedence down (RFC 5229 §4.1).
    if (Tag(node, "lower")) value = Lower(value);
    if (Tag(node, "upper")) value = Upper(value);
    if (Tag(node, "lowerfirst") && !value.empty()) value[0] = absl::ascii_tolower(value[0]);
    if (Tag(node, "upperfirst") && !value.empty()) value[0] = absl::ascii_toupper(value[0]);
    if (Tag(node, "quotewildcard")) value = QuoteWildcards(value);
    if (Tag(node, "length")) value = Cat(Utf8Chars(value));
    return Assign(node, node.positional[0].strings[0], std::move(value));
  }

  absl::Status VacationCommand(const Node& node) {
    VacationRequest v;
    v.reason = ExpandOne(node.positional[0]);
    if (const Argument* a = Tag(node, "subject")) v.subject = ExpandOne(*a);
    if (const Argument* a = Tag(node, "from")) v.from = ExpandOne(*a);
    if (const Argument* a = Tag(node, "addresses")) v.addresses = ExpandAll(*a);
    v.mime = Tag(node, "mime") != nullptr;
    if (const Argument* a = Tag(node, "handle")) {
      v.handle = ExpandOne(*a);
    } else {
      // RFC 5230 §4.2: without :handle, the arguments identify the reply.
      v.handle = absl::StrFormat("%016x", Fnv1a(Cat(v.reason, "\n", v.subject, "\n",
                                                             v.from, "\n", v.mime)));
    }
    int64_t seconds = options_.vacation_default_seconds;
    if (const Argument* d = Tag(node, "days")) {
      seconds = static_cast<int64_t>(std::min<uint64_t>(d->number, 1u << 20)) * 86400;
    } else if (const Argument* s = Tag(node, "seconds")) {
      seconds = static_cast<int64_t>(std::min<uint64_t>(s->number, uint64_t{1} << 40));
    }
    v.seconds = std::clamp(seconds, options_.vacation_min_seconds, options_.vacation_max_seconds);
    Action action;
    action.kind = Action::Kind::kVacation;
    action.vacation = std::move(v);
    return AddAction(node, std::move(action));
  }

  absl::StatusOr<Flow> IncludeCommand(const Node& node) {
    const ScriptLocation location =
        Tag(node, "global") ? ScriptLocation::kGlobal : ScriptLocation::kPersonal;
    const std::string name = node.positional[0].strings[0];
    const std::string key = Cat(location == ScriptLocation::kGlobal ? "global:" : "personal:",
                                         name);
    if (Tag(node, "once") && included_once_.count(key)) return Flow::kNext;
    if (std::find(active_.begin(), active_.end(), key) != active_.end()) {
      return Error(node, Cat("script \"", name, "\" includes itself"));
    }
    if (static_cast<int>(active_.size()) >= limits_.max_include_depth) {
      return Error(node, Cat("includes nested deeper than ", limits_.max_include_depth));
    }
    if (++include_count_ > limits_.max_includes) {
      return Error(node, Cat("more than ", limits_.max_includes, " includes"));
    }
    auto cached = compiled_.find(key);
    if (cached == compiled_.end()) {
      absl::StatusOr<std::string> source = env_.LoadScript(location, name);
      if (!source.ok()) {
        if (absl::IsNotFound(source.status()) && Tag(node, "optional")) return Flow::kNext;
        return Error(node, Cat("cannot include \"", name, "\": ",
                                        source.status().message()));
      }
      auto script = Compile(*source, limits_);
      if (!script.ok()) {
        return Error(node, Cat("included script \"", name, "\" does not compile: ",
                                        script.status().message()));
      }
      cached = compiled_.emplace(key, *std::move(script)).first;
    }
    included_once_.insert(key);
    Frame frame;
    frame.script = cached->second.get();
    active_.push_back(key);
    absl::StatusOr<Flow> flow = RunScript(&frame, frame.script->commands);
    active_.pop_back();
    if (!flow.ok()) return flow.status();
    return *flow == Flow::kStop ? Flow::kStop : Flow::kNext;
  }

  // --- Commands -----------------------------------------------------------

  absl::StatusOr<Flow> RunScript(Frame* frame, const std::vector<Node>& commands) {
    Frame* outer = frame_;
    frame_ = frame;
    absl::StatusOr<Flow> flow = Block(commands);
    frame_ = outer;
    if (flow.ok() && *flow == Flow::kReturn) return Flow::kNext;
    return flow;
  }

  absl::StatusOr<Flow> Block(const std::vector<Node>& commands) {
    bool chain_taken = false;  // an if/elsif of the current chain ran
    for (const Node& node : commands) {
      MR_RETURN_IF_ERROR(Step());
      const std::string& name = node.name;
      if (name == "if" || name == "elsif" || name == "else") {
        if (name == "if") chain_taken = false;
        if (chain_taken) continue;
        bool taken = true;
        if (name != "else") {
          MR_ASSIGN_OR_RETURN(taken, Test(node.tests[0]));
        }
        if (!taken) continue;
        chain_taken = true;
        MR_ASSIGN_OR_RETURN(const Flow flow, Block(node.block));
        if (flow != Flow::kNext) return flow;
        continue;
      }
      MR_ASSIGN_OR_RETURN(const Flow flow, Command(node));
      if (flow != Flow::kNext) return flow;
    }
    return Flow::kNext;
  }

  absl::StatusOr<Flow> Command(const Node& node) {
    using K = Action::Kind;
    const std::string& name = node.name;
    Action action;
    if (name == "require") return Flow::kNext;
    if (name == "stop") return Flow::kStop;
    if (name == "return") return Flow::kReturn;
    if (name == "keep") {
      action.kind = K::kKeep;
      action.flags = ActionFlags(node);
    } else if (name == "discard") {
      action.kind = K::kDiscard;
    } else if (name == "fileinto") {
      action.kind = K::kFileInto;
      action.mailbox = ExpandOne(node.positional[0]);
      action.flags = ActionFlags(node);
      action.copy = Tag(node, "copy") != nullptr;
      action.create = Tag(node, "create") != nullptr;
      if (action.mailbox.empty()) return Error(node, "fileinto needs a mailbox name");
    } else if (name == "redirect") {
      action.kind = K::kRedirect;
      action.address = ExpandOne(node.positional[0]);
      action.copy = Tag(node, "copy") != nullptr;
      const Address parsed = ParseAddrSpec(action.address);
      if (!parsed.has_domain) {
        return Error(node, Cat("redirect to an invalid address \"", action.address, "\""));
      }
      action.address = parsed.all;
    } else if (name == "reject" || name == "ereject") {
      action.kind = name == "reject" ? K::kReject : K::kEreject;
      action.reason = ExpandOne(node.positional[0]);
    } else if (name == "vacation") {
      MR_RETURN_IF_ERROR(VacationCommand(node));
      return Flow::kNext;
    } else if (name == "setflag" || name == "addflag" || name == "removeflag") {
      MR_RETURN_IF_ERROR(FlagCommand(node));
      return Flow::kNext;
    } else if (name == "set") {
      MR_RETURN_IF_ERROR(SetCommand(node));
      return Flow::kNext;
    } else if (name == "include") {
      return IncludeCommand(node);
    } else if (name == "global") {
      for (const std::string& v : node.positional[0].strings) frame_->globals.insert(Lower(v));
      return Flow::kNext;
    } else {
      return Error(node, Cat("unknown command '", name, "'"));
    }
    MR_RETURN_IF_ERROR(AddAction(node, std::move(action)));
    return Flow::kNext;
  }

  const Message& msg_;
  const Environment& env_;
  const Options& options_;
  const Limits& limits_;

  Frame* frame_ = nullptr;
  std::map<std::string, std::string> globals_;
  std::vector<std::string> match_;
  int variable_count_ = 0;
  std::vector<std::string> flags_;  // RFC 5232 internal variable
  std::vector<Action> actions_;
  bool implicit_keep_ = true;
  std::vector<DuplicateMark> marks_;
  uint64_t steps_ = 0;

  std::vector<std::string> active_;  // include chain, by key
  std::set<std::string> included_once_;
  std::map<std::string, std::shared_ptr<const Script>> compiled_;
  int include_count_ = 0;
};

}  // namespace

RunResult Run(const Script& script, const Message& message, const Environment& env,
              const Options& options, std::vector<std::string> flags) {
  return Runner(message, env, options, std::move(flags)).Execute(script);
}

}  // namespace mailroom::sieve
