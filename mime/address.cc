// Address list parsing (RFC 5322 section 3.4 and obsolete forms of 4.4).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "mime/raw_address.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

// Bounds the work on hostile headers.
constexpr size_t kMaxAddresses = 10000;
constexpr size_t kMaxRouteTokens = 64;

struct Token {
  enum Kind { kWord, kQuoted, kLiteral, kComment, kSpecial } kind;
  std::string text;  // word, unquoted string, "[literal]", comment, or the special
  bool space_before = false;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsSpecial(char c) {
  return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':';
}

bool IsAtomChar(char c) {
  return !IsSpace(c) && !IsSpecial(c) && c != '(' && c != ')' && c != '"' &&
         c != '[' && c != ']' && c != '\\';
}

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  bool space = false;
  while (i < s.size()) {
    char c = s[i];
    if (IsSpace(c)) {
      space = true;
      ++i;
      continue;
    }
    Token t{Token::kWord, "", space};
    space = false;
    if (c == '"') {
      t.kind = Token::kQuoted;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        if (s[i] != '\r' && s[i] != '\n') t.text.push_back(s[i]);
        ++i;
      }
      ++i;  // closing quote (or past the end)
    } else if (c == '(') {
      t.kind = Token::kComment;
      int depth = 0;
      while (i < s.size()) {
        char d = s[i++];
        if (d == '\\' && i < s.size()) {
          t.text.push_back(s[i++]);
          continue;
        }
        if (d == '(' && depth++ == 0) continue;
        if (d == ')' && --depth == 0) break;
        if (d != '\r' && d != '\n') t.text.push_back(d);
      }
      space = true;  // a comment separates words like whitespace
    } else if (c == '[') {
      t.kind = Token::kLiteral;
      while (i < s.size()) {
        char d = s[i++];
        if (d != '\r' && d != '\n') t.text.push_back(d);
        if (d == ']') break;
      }
    } else if (IsSpecial(c)) {
      t.kind = Token::kSpecial;
      t.text.push_back(c);
      ++i;
    } else if (c == ')' || c == ']' || c == '\\') {
      ++i;  // stray closer: ignore
      continue;
    } else {
      while (i < s.size() && IsAtomChar(s[i])) t.text.push_back(s[i++]);
    }
    tokens.push_back(std::move(t));
  }
  return tokens;
}

bool IsSpecialToken(const Token& t, char c) {
  return t.kind == Token::kSpecial && t.text[0] == c;
}

// A display phrase: words separated by single spaces where the source had
// whitespace.
std::string JoinPhrase(const std::vector<const Token*>& tokens) {
  std::string out;
  for (const Token* t : tokens) {
    if (t->kind == Token::kComment) continue;
    if (!out.empty() && t->space_before) out.push_back(' ');
    out += t->text;
  }
  return out;
}

// Fills mailbox and host from the tokens of an addr-spec.
void FillAddrSpec(const std::vector<const Token*>& tokens, RawAddress* a) {
  size_t at = tokens.size();
  for (size_t i = tokens.size(); i-- > 0;) {
    if (IsSpecialToken(*tokens[i], '@')) {
      at = i;
      break;
    }
  }
  std::string comment;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token* t = tokens[i];
    if (t->kind == Token::kComment) {
      if (comment.empty()) comment = t->text;
      continue;
    }
    if (i == at) continue;
    if (at == tokens.size()) {
      // No domain: keep what was written, spaces included.
      if (!a->mailbox.empty() && t->space_before) a->mailbox.push_back(' ');
      a->mailbox += t->text;
    } else if (i < at) {
      a->mailbox += t->text;
    } else {
      a->host += t->text;
    }
  }
  if (a->name.empty()) a->name = comment;
}

// Parses one tokenized address list. Not thread-safe; one per value.
class ListParser {
 public:
  explicit ListParser(std::string_view value) : tokens_(Tokenize(value)) {}

  std::vector<RawAddress> Run() {
    std::vector<const Token*> pending;
    bool in_group = false;
    bool done = false;  // an angle address was already emitted for this item
    size_t i = 0;
    while (i < tokens_.size() && out_.size() < kMaxAddresses) {
      const Token& t = tokens_[i];
      if (IsSpecialToken(t, ':') && !HasAt(pending) && !done) {
        RawAddress g;
        g.kind = RawAddress::Kind::kGroupStart;
        g.name = JoinPhrase(pending);
        if (in_group) EmitGroupEnd();
        out_.push_back(std::move(g));
        in_group = true;
        pending.clear();
        ++i;
      } else if (IsSpecialToken(t, '<')) {
        RawAddress a;
        a.name = JoinPhrase(pending);
        i = ParseAngle(i + 1, &a);
        Emit(std::move(a));
        pending.clear();
        done = true;
      } else if (IsSpecialToken(t, ',') || IsSpecialToken(t, ';')) {
        if (!done) FlushAddrSpec(&pending);
        pending.clear();
        done = false;
        if (IsSpecialToken(t, ';') && in_group) {
          EmitGroupEnd();
          in_group = false;
        }
        ++i;
      } else {
        if (!done) pending.push_back(&t);
        ++i;
      }
    }
    if (!done) FlushAddrSpec(&pending);
    if (in_group) EmitGroupEnd();
    return std::move(out_);
  }

 private:
  static bool HasAt(const std::vector<const Token*>& tokens) {
    for (const Token* t : tokens) {
      if (IsSpecialToken(*t, '@')) return true;
    }
    return false;
  }

  // Parses after '<' up to and including '>'; returns the next index.
  size_t ParseAngle(size_t i, RawAddress* a) {
    std::vector<const Token*> spec;
    // Obsolete route: "@a,@b:" before the addr-spec.
    if (i < tokens_.size() && IsSpecialToken(tokens_[i], '@')) {
      // A route is short; bounding the look-ahead keeps hostile lists
      // linear.
      size_t j = i;
      size_t limit = std::min(tokens_.size(), i + kMaxRouteTokens);
      while (j < limit && !IsSpecialToken(tokens_[j], ':') &&
             !IsSpecialToken(tokens_[j], '>') &&
             !IsSpecialToken(tokens_[j], '<') &&
             !IsSpecialToken(tokens_[j], ';'))
        ++j;
      if (j < tokens_.size() && IsSpecialToken(tokens_[j], ':')) {
        for (size_t k = i; k < j; ++k) {
          if (tokens_[k].kind != Token::kComment) a->route += tokens_[k].text;
        }
        i = j + 1;
      }
    }
    while (i < tokens_.size() && !IsSpecialToken(tokens_[i], '>')) {
      // An unclosed '<' ends at the next address separator.
      if (IsSpecialToken(tokens_[i], ',') || IsSpecialToken(tokens_[i], ';'))
        break;
      spec.push_back(&tokens_[i]);
      ++i;
    }
    if (i < tokens_.size() && IsSpecialToken(tokens_[i], '>')) ++i;
    std::string name = std::move(a->name);
    a->name.clear();
    FillAddrSpec(spec, a);
    if (!name.empty()) a->name = std::move(name);
    return i;
  }

  void FlushAddrSpec(std::vector<const Token*>* pending) {
    bool any = false;
    for (const Token* t : *pending) {
      if (t->kind != Token::kComment) any = true;
    }
    if (!any) return;
    RawAddress a;
    FillAddrSpec(*pending, &a);
    Emit(std::move(a));
  }

  void Emit(RawAddress a) {
    if (a.mailbox.empty() && a.host.empty()) return;
    out_.push_back(std::move(a));
  }

  void EmitGroupEnd() {
    RawAddress end;
    end.kind = RawAddress::Kind::kGroupEnd;
    out_.push_back(std::move(end));
  }

  std::vector<Token> tokens_;
  std::vector<RawAddress> out_;
};

}  // namespace

std::vector<RawAddress> ParseRawAddressList(std::string_view value) {
  return ListParser(value).Run();
}

std::vector<Address> ParseAddressList(std::string_view raw_value) {
  std::vector<Address> out;
  std::string group;
  for (RawAddress& r : ParseRawAddressList(raw_value)) {
    switch (r.kind) {
      case RawAddress::Kind::kGroupStart:
        group = DecodeHeaderValue(r.name);
        break;
      case RawAddress::Kind::kGroupEnd:
        group.clear();
        break;
      case RawAddress::Kind::kMailbox:
        out.push_back(Address{DecodeHeaderValue(r.name),
                              DecodeHeaderValue(r.mailbox),
                              DecodeHeaderValue(r.host), group});
        break;
    }
  }
  return out;
}

}  // namespace mailroom::mime
