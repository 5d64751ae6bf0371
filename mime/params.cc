#include "mime/params.h"

#include <algorithm>
#include <map>

#include "mime/charset.h"
#include "mime/header.h"

namespace mailroom::mime {
namespace {

// Parameters beyond this many are ignored; RFC 2231 continuations beyond
// this index too. Both bound the work on hostile headers.
constexpr size_t kMaxParams = 64;
constexpr int kMaxContinuation = 999;

bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool IsTSpecial(char c) {
  switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';':
    case ':': case '\\': case '"': case '/': case '[': case ']': case '?':
    case '=':
      return true;
    default:
      return false;
  }
}

bool IsTokenChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7F && !IsTSpecial(c);
}

// A cursor over a structured header value. Not thread-safe; one per value.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  void Advance() { ++pos_; }

  // Skips whitespace and (nested) comments.
  void SkipCfws() {
    while (!AtEnd()) {
      char c = s_[pos_];
      if (IsWhitespace(c)) {
        ++pos_;
      } else if (c == '(') {
        int depth = 0;
        while (!AtEnd()) {
          char d = s_[pos_++];
          if (d == '\\' && !AtEnd()) {
            ++pos_;
          } else if (d == '(') {
            ++depth;
          } else if (d == ')' && --depth == 0) {
            break;
          }
        }
      } else {
        return;
      }
    }
  }

  std::string_view Token() {
    size_t start = pos_;
    while (!AtEnd() && IsTokenChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }

  // At a '"': the unescaped content; an unterminated string runs to the end.
  std::string QuotedString() {
    std::string out;
    ++pos_;  // opening quote
    while (!AtEnd()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\\' && !AtEnd()) c = s_[pos_++];
      if (c == '\r' || c == '\n') continue;  // folding inside the string
      out.push_back(c);
    }
    return out;
  }

  // An unquoted parameter value: token characters, but tolerating what
  // mailers write in practice ("name=my file.pdf", "x=a/b", "c=a=b").
  std::string LooseValue() {
    size_t start = pos_;
    size_t last = pos_;
    while (!AtEnd()) {
      char c = s_[pos_];
      if (c == ';' || c == '"') break;
      if (c == '(' && (pos_ == start || IsWhitespace(s_[pos_ - 1]))) break;
      ++pos_;
      if (!IsWhitespace(c)) last = pos_;
    }
    std::string out;
    for (char c : s_.substr(start, last - start)) {
      if (c != '\r' && c != '\n') out.push_back(c);
    }
    return out;
  }

  // Skips to just past the next ';' (or the end).
  void SkipPastSemicolon() {
    while (!AtEnd()) {
      char c = s_[pos_];
      if (c == '"') {
        QuotedString();
        continue;
      }
      ++pos_;
      if (c == ';') return;
    }
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendPercentDecoded(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out->push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out->push_back(s[i]);
  }
}

struct RawParam {
  std::string name;  // lower case, as written (may hold '*' sections)
  std::string value;
};

// Parses "; a=b; c="d"" after the position of `lex`.
std::vector<RawParam> ParseRawParams(Lexer& lex) {
  std::vector<RawParam> out;
  while (!lex.AtEnd() && out.size() < kMaxParams * 4) {
    lex.SkipCfws();
    if (lex.Peek() == ';') {
      lex.Advance();
      continue;
    }
    if (lex.AtEnd()) break;
    std::string_view name = lex.Token();
    lex.SkipCfws();
    if (name.empty() || lex.Peek() != '=') {
      lex.SkipPastSemicolon();
      continue;
    }
    lex.Advance();  // '='
    lex.SkipCfws();
    std::string value =
        lex.Peek() == '"' ? lex.QuotedString() : lex.LooseValue();
    out.push_back(RawParam{AsciiLower(name), std::move(value)});
    lex.SkipCfws();
    if (!lex.AtEnd() && lex.Peek() != ';') lex.SkipPastSemicolon();
  }
  return out;
}

// Joins RFC 2231 sections ("name*0*", "name*1", "name*") and decodes them.
std::vector<Param> JoinParams(std::vector<RawParam> raw) {
  struct Extended {
    std::map<int, std::pair<bool, std::string>> sections;  // index -> (encoded, value)
  };
  std::vector<std::string> order;
  std::map<std::string, std::string> plain;
  std::map<std::string, Extended> extended;
  for (RawParam& p : raw) {
    size_t star = p.name.find('*');
    std::string base = p.name.substr(0, star);
    if (base.empty()) continue;
    if (!plain.count(base) && !extended.count(base)) {
      if (order.size() >= kMaxParams) continue;
      order.push_back(base);
    }
    if (star == std::string::npos) {
      plain.emplace(base, std::move(p.value));
      continue;
    }
    std::string_view rest = std::string_view(p.name).substr(star + 1);
    int index = 0;
    bool encoded = false;
    if (rest.empty()) {
      encoded = true;  // "name*="
    } else {
      size_t i = 0;
      int n = 0;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' &&
             n <= kMaxContinuation) {
        n = n * 10 + (rest[i] - '0');
        ++i;
      }
      if (i == 0 || n > kMaxContinuation) continue;
      index = n;
      if (i < rest.size()) {
        if (rest.substr(i) != "*") continue;
        encoded = true;
      }
    }
    extended[base].sections.emplace(index, std::make_pair(encoded, std::move(p.value)));
  }

  std::vector<Param> out;
  for (const std::string& name : order) {
    auto ext = extended.find(name);
    if (ext == extended.end()) {
      out.push_back(Param{name, ToUtf8(plain[name], "")});
      continue;
    }
    std::string charset;
    std::string bytes;
    bool first = true;
    int expected = 0;
    for (auto& [index, section] : ext->second.sections) {
      if (index != expected) break;  // a gap: keep what is contiguous
      ++expected;
      auto& [encoded, value] = section;
      std::string_view v = value;
      if (first && encoded) {
        size_t q1 = v.find('\'');
        size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
        if (q2 != std::string_view::npos) {
          charset = std::string(v.substr(0, q1));
          v = v.substr(q2 + 1);
        }
      }
      first = false;
      if (encoded) {
        AppendPercentDecoded(v, &bytes);
      } else {
        bytes.append(v);
      }
    }
    if (expected == 0 && plain.count(name)) {
      out.push_back(Param{name, ToUtf8(plain[name], "")});
    } else {
      out.push_back(Param{name, ToUtf8(bytes, charset)});
    }
  }
  return out;
}

}  // namespace

std::vector<Param> ParseParams(std::string_view value) {
  Lexer lex(value);
  lex.SkipPastSemicolon();
  return JoinParams(ParseRawParams(lex));
}

ContentType ParseContentType(std::string_view value) {
  ContentType ct;
  Lexer lex(value);
  lex.SkipCfws();
  std::string_view type = lex.Token();
  lex.SkipCfws();
  if (!type.empty() && lex.Peek() == '/') {
    lex.Advance();
    lex.SkipCfws();
    std::string_view subtype = lex.Token();
    if (!subtype.empty()) {
      ct.valid = true;
      ct.type = AsciiLower(type);
      ct.subtype = AsciiLower(subtype);
    }
  }
  lex.SkipPastSemicolon();
  ct.params = JoinParams(ParseRawParams(lex));
  return ct;
}

std::string ParseDisposition(std::string_view value,
                             std::vector<Param>* params) {
  Lexer lex(value);
  lex.SkipCfws();
  std::string disposition = AsciiLower(lex.Token());
  lex.SkipPastSemicolon();
  *params = JoinParams(ParseRawParams(lex));
  return disposition;
}

std::string ParseLowerToken(std::string_view value) {
  Lexer lex(value);
  lex.SkipCfws();
  return AsciiLower(lex.Token());
}

std::vector<std::string> ParseLanguageList(std::string_view value) {
  std::vector<std::string> out;
  Lexer lex(value);
  while (!lex.AtEnd() && out.size() < kMaxParams) {
    lex.SkipCfws();
    if (lex.Peek() == ',') {
      lex.Advance();
      continue;
    }
    std::string_view tag = lex.Token();
    if (tag.empty()) {
      if (!lex.AtEnd()) lex.Advance();
      continue;
    }
    out.emplace_back(tag);
  }
  return out;
}

const std::string* FindParam(const std::vector<Param>& params,
                             std::string_view name) {
  for (const Param& p : params) {
    if (p.name == name) return &p.value;
  }
  return nullptr;
}

}  // namespace mailroom::mime
