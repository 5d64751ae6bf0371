#include "sieve/script.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sieve/encoded_character.h"
#include "sieve/text.h"

namespace mailroom::sieve {
namespace {

enum class ArgType { kNone, kString, kStringList, kNumber };
enum class Tests { kNone, kOne, kList };

struct TagSpec {
  std::string_view name;
  ArgType value = ArgType::kNone;
  std::string_view extension;  // "" when core
  std::string_view group;      // tags of one group exclude each other
};

struct CommandSpec {
  std::string_view name;
  bool is_test = false;
  std::string_view extension;
  std::vector<TagSpec> tags;
  std::vector<ArgType> positional;
  size_t min_positional = 0;  // optional leading positionals
  Tests tests = Tests::kNone;
  bool block = false;
};

constexpr std::string_view kExtensions[] = {
    "body", "comparator-i;ascii-numeric", "comparator-i;ascii-casemap",
    "comparator-i;octet", "copy", "date", "duplicate", "encoded-character",
    "envelope", "environment", "ereject", "fileinto", "imap4flags",
    "include", "mailbox", "reject", "relational", "subaddress", "vacation",
    "vacation-seconds", "variables",
};

std::vector<TagSpec> MatchTags(std::vector<TagSpec> extra = {}) {
  std::vector<TagSpec> tags = {
      {"comparator", ArgType::kString, "", "comparator"},
      {"is", ArgType::kNone, "", "match"},
      {"contains", ArgType::kNone, "", "match"},
      {"matches", ArgType::kNone, "", "match"},
      {"count", ArgType::kString, "relational", "match"},
      {"value", ArgType::kString, "relational", "match"},
  };
  tags.insert(tags.end(), extra.begin(), extra.end());
  return tags;
}

std::vector<TagSpec> AddressTags() {
  return MatchTags({
      {"all", ArgType::kNone, "", "part"},
      {"localpart", ArgType::kNone, "", "part"},
      {"domain", ArgType::kNone, "", "part"},
      {"user", ArgType::kNone, "subaddress", "part"},
      {"detail", ArgType::kNone, "subaddress", "part"},
  });
}

const std::vector<CommandSpec>& Table() {
  using A = ArgType;
  static const std::vector<CommandSpec>* table = new std::vector<CommandSpec>{
      // Control (RFC 5228 §3).
      {"require", false, "", {}, {A::kStringList}, 1},
      {"if", false, "", {}, {}, 0, Tests::kOne, true},
      {"elsif", false, "", {}, {}, 0, Tests::kOne, true},
      {"else", false, "", {}, {}, 0, Tests::kNone, true},
      {"stop", false, "", {}, {}, 0},
      // Actions (RFC 5228 §4 and extensions).
      {"keep", false, "", {{"flags", A::kStringList, "imap4flags", ""}}, {}, 0},
      {"discard", false, "", {}, {}, 0},
      {"fileinto", false, "fileinto",
       {{"copy", A::kNone, "copy", ""},
        {"flags", A::kStringList, "imap4flags", ""},
        {"create", A::kNone, "mailbox", ""}},
       {A::kString}, 1},
      {"redirect", false, "", {{"copy", A::kNone, "copy", ""}}, {A::kString}, 1},
      {"reject", false, "reject", {}, {A::kString}, 1},
      {"ereject", false, "ereject", {}, {A::kString}, 1},
      {"setflag", false, "imap4flags", {}, {A::kString, A::kStringList}, 1},
      {"addflag", false, "imap4flags", {}, {A::kString, A::kStringList}, 1},
      {"removeflag", false, "imap4flags", {}, {A::kString, A::kStringList}, 1},
      {"set", false, "variables",
       {{"lower", A::kNone, "", "40"}, {"upper", A::kNone, "", "40"},
        {"lowerfirst", A::kNone, "", "30"}, {"upperfirst", A::kNone, "", "30"},
        {"quotewildcard", A::kNone, "", "20"}, {"length", A::kNone, "", "10"}},
       {A::kString, A::kString}, 2},
      {"vacation", false, "vacation",
       {{"days", A::kNumber, "", "period"},
        {"seconds", A::kNumber, "vacation-seconds", "period"},
        {"subject", A::kString, "", ""},
        {"from", A::kString, "", ""},
        {"addresses", A::kStringList, "", ""},
        {"mime", A::kNone, "", ""},
        {"handle", A::kString, "", ""}},
       {A::kString}, 1},
      {"include", false, "include",
       {{"personal", A::kNone, "", "location"},
        {"global", A::kNone, "", "location"},
        {"once", A::kNone, "", ""},
        {"optional", A::kNone, "", ""}},
       {A::kString}, 1},
      {"return", false, "include", {}, {}, 0},
      {"global", false, "include", {}, {A::kStringList}, 1},
      // Tests (RFC 5228 §5 and extensions).
      {"address", true, "", AddressTags(), {A::kStringList, A::kStringList}, 2},
      {"envelope", true, "envelope", AddressTags(), {A::kStringList, A::kStringList}, 2},
      {"header", true, "", MatchTags(), {A::kStringList, A::kStringList}, 2},
      {"exists", true, "", {}, {A::kStringList}, 1},
      {"size", true, "",
       {{"over", A::kNumber, "", "size"}, {"under", A::kNumber, "", "size"}}, {}, 0},
      {"allof", true, "", {}, {}, 0, Tests::kList},
      {"anyof", true, "", {}, {}, 0, Tests::kList},
      {"not", true, "", {}, {}, 0, Tests::kOne},
      {"true", true, "", {}, {}, 0},
      {"false", true, "", {}, {}, 0},
      {"hasflag", true, "imap4flags", MatchTags(), {A::kStringList, A::kStringList}, 1},
      {"body", true, "body",
       MatchTags({{"raw", A::kNone, "", "transform"},
                  {"content", A::kStringList, "", "transform"},
                  {"text", A::kNone, "", "transform"}}),
       {A::kStringList}, 1},
      {"string", true, "variables", MatchTags(), {A::kStringList, A::kStringList}, 2},
      {"date", true, "date",
       MatchTags({{"zone", A::kString, "", "zone"},
                  {"originalzone", A::kNone, "", "zone"}}),
       {A::kString, A::kString, A::kStringList}, 3},
      {"currentdate", true, "date", MatchTags({{"zone", A::kString, "", "zone"}}),
       {A::kString, A::kStringList}, 2},
      {"mailboxexists", true, "mailbox", {}, {A::kStringList}, 1},
      {"environment", true, "environment", MatchTags(), {A::kString, A::kStringList}, 2},
      {"duplicate", true, "duplicate",
       {{"handle", A::kString, "", ""},
        {"header", A::kString, "", "id"},
        {"uniqueid", A::kString, "", "id"},
        {"seconds", A::kNumber, "", ""},
        {"last", A::kNone, "", ""}},
       {}, 0},
  };
  return *table;
}

const CommandSpec* Find(std::string_view name) {
  for (const CommandSpec& spec : Table()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !(absl::ascii_isalpha(s[0]) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '_'; });
}

bool IsZone(std::string_view z) {
  if (z.size() != 5 || (z[0] != '+' && z[0] != '-')) return false;
  for (size_t i = 1; i < 5; ++i) {
    if (!absl::ascii_isdigit(z[i])) return false;
  }
  return (z[1] - '0') * 10 + (z[2] - '0') <= 23 && z[3] <= '5';
}

class Compiler {
 public:
  explicit Compiler(Script* script) : script_(script) {}

  bool Run(std::vector<Node>* commands, CompileError* error) {
    if (!Requires(*commands)) {
      *error = error_;
      return false;
    }
    const bool ok = Block(commands, /*top=*/true);
    if (!ok) *error = error_;
    return ok;
  }

 private:
  bool Fail(Position pos, std::string message) {
    error_.pos = pos;
    error_.message = std::move(message);
    return false;
  }

  bool Has(std::string_view ext) const { return script_->Requires(ext); }

  // Reads the leading `require` commands; they must come first.
  bool Requires(const std::vector<Node>& commands) {
    for (const Node& node : commands) {
      if (node.name != "require") break;
      if (node.args.size() != 1 || node.args[0].kind != Argument::Kind::kStringList ||
          !node.tests.empty() || node.has_block) {
        return Fail(node.pos, "require takes one string list");
      }
      for (const std::string& ext : node.args[0].strings) {
        const std::string lower = Lower(ext);
        if (std::find(std::begin(kExtensions), std::end(kExtensions), lower) ==
            std::end(kExtensions)) {
          return Fail(node.args[0].pos, Cat("unsupported extension \"", ext, "\""));
        }
        script_->extensions.insert(lower);
        // RFC 6131 extends vacation; asking for it asks for vacation too.
        if (lower == "vacation-seconds") script_->extensions.insert("vacation");
      }
    }
    return true;
  }

  bool Block(std::vector<Node>* commands, bool top) {
    bool requires_allowed = top;
    std::string_view previous;
    for (Node& node : *commands) {
      if (node.name == "require") {
        if (!requires_allowed) {
          return Fail(node.pos, "require must come before any other command");
        }
      } else {
        requires_allowed = false;
      }
      if ((node.name == "elsif" || node.name == "else") &&
          previous != "if" && previous != "elsif") {
        return Fail(node.pos, Cat(node.name, " must follow if or elsif"));
      }
      if (!CheckNode(&node, /*as_test=*/false)) return false;
      if (node.has_block && !Block(&node.block, /*top=*/false)) return false;
      previous = node.name;
    }
    return true;
  }

  bool CheckNode(Node* node, bool as_test) {
    const CommandSpec* spec = Find(node->name);
    const char* what = as_test ? "test" : "command";
    if (spec == nullptr) {
      return Fail(node->pos, Cat("unknown ", what, " '", node->name, "'"));
    }
    if (spec->is_test != as_test) {
      return Fail(node->pos, Cat("'", node->name, "' is a ",
                                          spec->is_test ? "test" : "command", ", not a ", what));
    }
    if (!spec->extension.empty() && !Has(spec->extension)) {
      return Fail(node->pos, Cat("'", node->name, "' requires \"", spec->extension,
                                          "\" in require"));
    }
    if (Has("encoded-character") && !DecodeStrings(node)) return false;
    if (!FileArguments(*spec, node)) return false;
    // Tests and blocks.
    switch (spec->tests) {
      case Tests::kNone:
        if (!node->tests.empty()) {
          return Fail(node->tests[0].pos, Cat("'", node->name, "' takes no test"));
        }
        break;
      case Tests::kOne:
        if (node->tests.size() != 1 || node->test_list) {
          return Fail(node->pos, Cat("'", node->name, "' needs exactly one test"));
        }
        break;
      case Tests::kList:
        if (!node->test_list) {
          return Fail(node->pos, Cat("'", node->name, "' needs a test list \"( ... )\""));
        }
        break;
    }
    if (!as_test) {
      if (spec->block && !node->has_block) {
        return Fail(node->pos, Cat("'", node->name, "' needs a block"));
      }
      if (!spec->block && node->has_block) {
        return Fail(node->pos, Cat("'", node->name, "' takes no block"));
      }
    }
    if (!CheckSemantics(node)) return false;
    for (Node& test : node->tests) {
      if (!CheckNode(&test, /*as_test=*/true)) return false;
    }
    return true;
  }

  bool DecodeStrings(Node* node) {
    for (Argument& arg : node->args) {
      for (std::string& s : arg.strings) {
        std::string error;
        if (!DecodeEncodedCharacters(&s, &error)) return Fail(arg.pos, error);
      }
    }
    return true;
  }

  static bool TypeFits(ArgType type, const Argument& arg) {
    switch (type) {
      case ArgType::kNone: return false;
      case ArgType::kNumber: return arg.kind == Argument::Kind::kNumber;
      case ArgType::kStringList: return arg.kind == Argument::Kind::kStringList;
      case ArgType::kString:
        return arg.kind == Argument::Kind::kStringList && !arg.bracketed &&
               arg.strings.size() == 1;
    }
    return false;
  }

  static const char* TypeName(ArgType type) {
    switch (type) {
      case ArgType::kNumber: return "a number";
      case ArgType::kStringList: return "a string list";
      case ArgType::kString: return "a string";
      case ArgType::kNone: break;
    }
    return "nothing";
  }

  // Sorts the written arguments into node->tags and node->positional.
  bool FileArguments(const CommandSpec& spec, Node* node) {
    std::map<std::string_view, std::string_view> groups;  // group -> tag
    size_t i = 0;
    const std::vector<Argument>& args = node->args;
    for (; i < args.size() && args[i].kind == Argument::Kind::kTag; ++i) {
      const Argument& arg = args[i];
      const TagSpec* tag = nullptr;
      for (const TagSpec& t : spec.tags) {
        if (t.name == arg.tag) tag = &t;
      }
      if (tag == nullptr) {
        if (arg.tag == "regex") {
          return Fail(arg.pos, "match type :regex is not supported");
        }
        return Fail(arg.pos, Cat("'", node->name, "' has no tag :", arg.tag));
      }
      if (!tag->extension.empty() && !Has(tag->extension)) {
        return Fail(arg.pos, Cat(":", arg.tag, " requires \"", tag->extension,
                                          "\" in require"));
      }
      if (node->tags.count(arg.tag)) {
        return Fail(arg.pos, Cat("tag :", arg.tag, " given twice"));
      }
      if (!tag->group.empty()) {
        auto [it, fresh] = groups.emplace(tag->group, tag->name);
        if (!fresh) {
          return Fail(arg.pos, Cat(":", arg.tag, " cannot be combined with :",
                                            it->second));
        }
      }
      if (tag->value == ArgType::kNone) {
        node->tags.emplace(arg.tag, arg);
        continue;
      }
      if (i + 1 >= args.size() || !TypeFits(tag->value, args[i + 1])) {
        return Fail(arg.pos, Cat(":", arg.tag, " must be followed by ",
                                          TypeName(tag->value)));
      }
      node->tags.emplace(arg.tag, args[++i]);
    }
    for (; i < args.size(); ++i) {
      if (args[i].kind == Argument::Kind::kTag) {
        return Fail(args[i].pos, Cat("tag :", args[i].tag,
                                              " must come before the positional arguments"));
      }
      node->positional.push_back(args[i]);
    }
    const size_t n = node->positional.size();
    const size_t max = spec.positional.size();
    if (n < spec.min_positional || n > max) {
      std::string count = spec.min_positional == max
                              ? Cat(max)
                              : Cat(spec.min_positional, " to ", max);
      return Fail(node->pos, Cat("'", node->name, "' takes ", count,
                                          " positional argument", max == 1 ? "" : "s",
                                          ", got ", n));
    }
    // Optional arguments are the leading ones: align from the end.
    for (size_t k = 0; k < n; ++k) {
      const ArgType type = spec.positional[max - n + k];
      if (!TypeFits(type, node->positional[k])) {
        return Fail(node->positional[k].pos,
                    Cat("argument ", k + 1, " of '", node->name, "' must be ",
                                 TypeName(type)));
      }
    }
    return true;
  }

  // A string the compiler may judge now: no variables to expand later.
  bool Constant(std::string_view s) const {
    return !Has("variables") || s.find("${") == std::string_view::npos;
  }

  bool CheckSemantics(Node* node) {
    auto tag = [&](std::string_view name) -> const Argument* {
      auto it = node->tags.find(std::string(name));
      return it == node->tags.end() ? nullptr : &it->second;
    };
    // Comparator and match type.
    std::string comparator = "i;ascii-casemap";
    if (const Argument* c = tag("comparator")) {
      comparator = Lower(c->strings[0]);
      if (comparator != "i;octet" && comparator != "i;ascii-casemap" &&
          comparator != "i;ascii-numeric") {
        return Fail(c->pos, Cat("unknown comparator \"", c->strings[0], "\""));
      }
      if (comparator == "i;ascii-numeric" && !Has("comparator-i;ascii-numeric")) {
        return Fail(c->pos,
                    "comparator i;ascii-numeric requires \"comparator-i;ascii-numeric\" in require");
      }
    }
    for (std::string_view relational : {"count", "value"}) {
      if (const Argument* r = tag(relational)) {
        const std::string op = Lower(r->strings[0]);
        if (Constant(op) && op != "gt" && op != "ge" && op != "lt" && op != "le" &&
            op != "eq" && op != "ne") {
          return Fail(r->pos, Cat("unknown relational operator \"", r->strings[0],
                                           "\" (gt, ge, lt, le, eq or ne)"));
        }
      }
    }
    if (comparator == "i;ascii-numeric") {
      for (std::string_view m : {"contains", "matches"}) {
        if (const Argument* a = tag(m)) {
          return Fail(a->pos, Cat("comparator i;ascii-numeric cannot be used with :", m));
        }
      }
    }
    if (tag("matches") != nullptr && !node->positional.empty()) {
      for (const std::string& key : node->positional.back().strings) {
        size_t backslashes = 0;
        for (size_t k = key.size(); k > 0 && key[k - 1] == '\\'; --k) ++backslashes;
        if (backslashes % 2 == 1 && Constant(key)) {
          return Fail(node->positional.back().pos,
                      Cat(":matches pattern \"", key, "\" ends with a lone '\\'"));
        }
      }
    }
    const std::string& name = node->name;
    if (name == "size" && tag("over") == nullptr && tag("under") == nullptr) {
      return Fail(node->pos, "size needs :over or :under");
    }
    if (name == "envelope") {
      for (const std::string& part : node->positional[0].strings) {
        const std::string p = Lower(part);
        if (Constant(p) && p != "from" && p != "to" && p != "auth") {
          return Fail(node->positional[0].pos,
                      Cat("unknown envelope part \"", part, "\""));
        }
      }
    }
    if (name == "date" || name == "currentdate") {
      const Argument& part = node->positional[node->positional.size() - 2];
      if (Constant(part.strings[0]) && !IsDatePart(Lower(part.strings[0]))) {
        return Fail(part.pos, Cat("unknown date part \"", part.strings[0], "\""));
      }
      if (const Argument* z = tag("zone"); z && Constant(z->strings[0]) && !IsZone(z->strings[0])) {
        return Fail(z->pos, Cat("invalid zone \"", z->strings[0], "\" (+hhmm or -hhmm)"));
      }
    }
    if (name == "set") {
      if (!IsAssignableVariableName(node->positional[0].strings[0], Has("include"))) {
        return Fail(node->positional[0].pos,
                    Cat("invalid variable name \"", node->positional[0].strings[0], "\""));
      }
    }
    if ((name == "setflag" || name == "addflag" || name == "removeflag" || name == "hasflag") &&
        node->positional.size() == 2) {
      if (!Has("variables")) {
        return Fail(node->positional[0].pos, "a flag variable requires \"variables\" in require");
      }
      for (const std::string& v : node->positional[0].strings) {
        if (!IsAssignableVariableName(v, Has("include"))) {
          return Fail(node->positional[0].pos, Cat("invalid variable name \"", v, "\""));
        }
      }
    }
    if (name == "global") {
      if (!Has("variables")) {
        return Fail(node->pos, "'global' requires \"variables\" in require");
      }
      for (const std::string& v : node->positional[0].strings) {
        if (!IsIdentifier(v)) {
          return Fail(node->positional[0].pos, Cat("invalid variable name \"", v, "\""));
        }
      }
    }
    if (name == "include" && node->positional[0].strings[0].find('/') != std::string::npos) {
      return Fail(node->positional[0].pos, "an included script name cannot contain '/'");
    }
    if ((name == "fileinto" || name == "redirect") && Constant(node->positional[0].strings[0]) &&
        node->positional[0].strings[0].empty()) {
      return Fail(node->positional[0].pos, Cat(name, " needs a non-empty argument"));
    }
    return true;
  }

  Script* script_;
  CompileError error_;
};

}  // namespace

bool IsAssignableVariableName(std::string_view name, bool allow_global) {
  if (allow_global && StartsWithIgnoreCase(name, "global.")) {
    name.remove_prefix(7);
  }
  return IsIdentifier(name);
}

bool IsDatePart(std::string_view part) {
  static constexpr std::string_view kParts[] = {
      "year", "month", "day", "date", "julian", "hour", "minute",
      "second", "time", "iso8601", "std11", "zone", "weekday"};
  return std::find(std::begin(kParts), std::end(kParts), part) != std::end(kParts);
}

std::vector<std::string> SupportedExtensions() {
  return {std::begin(kExtensions), std::end(kExtensions)};
}

absl::StatusOr<std::shared_ptr<const Script>> Compile(std::string_view source,
                                                      const Limits& limits,
                                                      CompileError* error) {
  CompileError local;
  CompileError* err = error ? error : &local;
  auto script = std::make_shared<Script>();
  if (source.size() > limits.max_script_bytes) {
    *err = {Position{1, 1}, Cat("script is ", source.size(), " bytes; the limit is ",
                                         limits.max_script_bytes)};
    return absl::InvalidArgumentError(err->ToString());
  }
  if (!Parse(source, limits.max_nesting_depth, &script->commands, err) ||
      !Compiler(script.get()).Run(&script->commands, err)) {
    return absl::InvalidArgumentError(err->ToString());
  }
  return std::shared_ptr<const Script>(std::move(script));
}

}  // namespace mailroom::sieve
