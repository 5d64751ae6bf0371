// HTML to searchable text. Not a conforming HTML parser: it only needs the
// visible words, in order, from whatever mailers produce.
#include <cstring>
#include <string>
#include <string_view>

#include "mime/charset.h"
#include "mime/header.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

struct Entity {
  const char* name;
  uint32_t code_point;
};

// The named references mail actually uses; the rest stay as written.
constexpr Entity kEntities[] = {
    {"amp", '&'},       {"lt", '<'},         {"gt", '>'},
    {"quot", '"'},      {"apos", '\''},      {"nbsp", 0xA0},
    {"copy", 0xA9},     {"reg", 0xAE},       {"trade", 0x2122},
    {"euro", 0x20AC},   {"pound", 0xA3},     {"yen", 0xA5},
    {"cent", 0xA2},     {"sect", 0xA7},      {"deg", 0xB0},
    {"plusmn", 0xB1},   {"times", 0xD7},     {"divide", 0xF7},
    {"middot", 0xB7},   {"bull", 0x2022},    {"hellip", 0x2026},
    {"ndash", 0x2013},  {"mdash", 0x2014},   {"lsquo", 0x2018},
    {"rsquo", 0x2019},  {"sbquo", 0x201A},   {"ldquo", 0x201C},
    {"rdquo", 0x201D},  {"bdquo", 0x201E},   {"laquo", 0xAB},
    {"raquo", 0xBB},    {"iexcl", 0xA1},     {"iquest", 0xBF},
    {"shy", 0xAD},      {"zwnj", 0x200C},    {"zwj", 0x200D},
    {"ensp", 0x2002},   {"emsp", 0x2003},    {"thinsp", 0x2009},
    {"auml", 0xE4},     {"ouml", 0xF6},      {"uuml", 0xFC},
    {"Auml", 0xC4},     {"Ouml", 0xD6},      {"Uuml", 0xDC},
    {"szlig", 0xDF},    {"eacute", 0xE9},    {"egrave", 0xE8},
    {"ecirc", 0xEA},    {"euml", 0xEB},      {"Eacute", 0xC9},
    {"aacute", 0xE1},   {"agrave", 0xE0},    {"acirc", 0xE2},
    {"atilde", 0xE3},   {"aring", 0xE5},     {"aelig", 0xE6},
    {"ccedil", 0xE7},   {"Ccedil", 0xC7},    {"iacute", 0xED},
    {"igrave", 0xEC},   {"icirc", 0xEE},     {"iuml", 0xEF},
    {"ntilde", 0xF1},   {"Ntilde", 0xD1},    {"oacute", 0xF3},
    {"ograve", 0xF2},   {"ocirc", 0xF4},     {"otilde", 0xF5},
    {"oslash", 0xF8},   {"Oslash", 0xD8},    {"uacute", 0xFA},
    {"ugrave", 0xF9},   {"ucirc", 0xFB},     {"yacute", 0xFD},
    {"yuml", 0xFF},     {"Aacute", 0xC1},    {"Agrave", 0xC0},
    {"Aring", 0xC5},    {"AElig", 0xC6},     {"Oacute", 0xD3},
    {"Uacute", 0xDA},   {"Iacute", 0xCD},    {"oelig", 0x153},
    {"OElig", 0x152},   {"scaron", 0x161},   {"Scaron", 0x160},
};

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

// Elements that start a new line of text.
bool IsBlock(std::string_view name) {
  static constexpr const char* kBlocks[] = {
      "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6",
      "table", "blockquote", "pre", "hr", "ul", "ol", "dd", "dt", "title",
      "section", "article", "header", "footer", "address", "center"};
  for (const char* b : kBlocks) {
    if (EqualsIgnoreCase(name, b)) return true;
  }
  return false;
}

// Elements that do not separate words ("<b>wor</b>ld" is one word).
bool IsInline(std::string_view name) {
  static constexpr const char* kInline[] = {
      "a",    "abbr", "b",      "bdi",    "bdo",  "big", "cite", "code",
      "dfn",  "em",   "font",   "i",      "kbd",  "mark", "q",   "s",
      "samp", "small", "span",  "strike", "strong", "sub", "sup", "tt",
      "u",    "var",  "wbr",    "ins",    "del",  "o"};
  for (const char* n : kInline) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

// Collapses whitespace as it writes. Not thread-safe; one per conversion.
class TextWriter {
 public:
  explicit TextWriter(std::string* out) : out_(out) {}
  void Space() {
    if (pending_ == kNone) pending_ = kSpace;
  }
  void Newline() { pending_ = kNewline; }
  void Append(std::string_view s) {
    if (s.empty()) return;
    if (!out_->empty()) {
      if (pending_ == kNewline) {
        out_->push_back('\n');
      } else if (pending_ == kSpace) {
        out_->push_back(' ');
      }
    }
    pending_ = kNone;
    out_->append(s);
  }
  void AppendCodePoint(uint32_t cp) {
    std::string s;
    mime::AppendCodePoint(cp, &s);
    if (cp == 0xA0) {
      Space();
    } else {
      Append(s);
    }
  }

 private:
  enum Pending { kNone, kSpace, kNewline };
  std::string* out_;
  Pending pending_ = kNone;
};

// Decodes the character reference at html[pos] == '&'; returns the number
// of bytes consumed, 0 if it is not one.
size_t DecodeReference(std::string_view html, size_t pos, TextWriter* w) {
  size_t i = pos + 1;
  if (i < html.size() && html[i] == '#') {
    ++i;
    bool hex = i < html.size() && (html[i] == 'x' || html[i] == 'X');
    if (hex) ++i;
    uint32_t cp = 0;
    size_t digits = 0;
    while (i < html.size() && digits < 8) {
      char c = html[i];
      int v;
      if (IsDigit(c)) {
        v = c - '0';
      } else if (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        v = (c | 0x20) - 'a' + 10;
      } else {
        break;
      }
      cp = cp * (hex ? 16 : 10) + v;
      ++digits;
      ++i;
    }
    if (digits == 0) return 0;
    if (i < html.size() && html[i] == ';') ++i;
    if (cp == 0) cp = 0xFFFD;
    w->AppendCodePoint(cp);
    return i - pos;
  }
  size_t start = i;
  while (i < html.size() && i - start < 10 && (IsAlpha(html[i]) || IsDigit(html[i])))
    ++i;
  std::string_view name = html.substr(start, i - start);
  for (const Entity& e : kEntities) {
    if (name == e.name) {
      if (i < html.size() && html[i] == ';') ++i;
      w->AppendCodePoint(e.code_point);
      return i - pos;
    }
  }
  return 0;
}

// Offset just past the '>' closing a tag that starts at `pos`; quoted
// attribute values may hold '>'.
size_t TagEnd(std::string_view html, size_t pos) {
  char quote = 0;
  for (size_t i = pos + 1; i < html.size(); ++i) {
    char c = html[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      // Only a quote right after '=' (possibly spaced) opens a value.
      size_t j = i;
      while (j > pos && IsSpace(html[j - 1])) --j;
      if (j > pos && html[j - 1] == '=') quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return html.size();
}

// Offset past "</name ...>", searched case-insensitively, or the end.
size_t SkipRawText(std::string_view html, size_t pos, std::string_view name) {
  for (size_t i = pos; i + 2 + name.size() <= html.size(); ++i) {
    const void* lt = std::memchr(html.data() + i, '<', html.size() - i);
    if (lt == nullptr) break;
    i = static_cast<const char*>(lt) - html.data();
    if (i + 2 + name.size() <= html.size() && html[i + 1] == '/' &&
        EqualsIgnoreCase(html.substr(i + 2, name.size()), name)) {
      return TagEnd(html, i);
    }
  }
  return html.size();
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size() / 2);
  TextWriter w(&out);
  size_t i = 0;
  size_t run_start = 0;
  auto flush_run = [&](size_t end) {
    if (end > run_start) w.Append(html.substr(run_start, end - run_start));
  };
  while (i < html.size()) {
    char c = html[i];
    if (c == '<') {
      flush_run(i);
      char next = i + 1 < html.size() ? html[i + 1] : '\0';
      if (html.substr(i).starts_with("<!--")) {
        size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
      } else if (next == '!' || next == '?') {
        i = TagEnd(html, i);
      } else if (IsAlpha(next) || next == '/') {
        size_t n = i + 1 + (next == '/');
        size_t name_start = n;
        while (n < html.size() && (IsAlpha(html[n]) || IsDigit(html[n]))) ++n;
        std::string_view name = html.substr(name_start, n - name_start);
        i = TagEnd(html, i);
        if (next != '/' && (EqualsIgnoreCase(name, "script") ||
                            EqualsIgnoreCase(name, "style"))) {
          i = SkipRawText(html, i, name);
        }
        if (IsBlock(name)) {
          w.Newline();
        } else if (!IsInline(name)) {
          w.Space();
        }
      } else {
        w.Append("<");
        ++i;
      }
      run_start = i;
    } else if (c == '&') {
      flush_run(i);
      size_t used = DecodeReference(html, i, &w);
      if (used == 0) {
        w.Append("&");
        used = 1;
      }
      i += used;
      run_start = i;
    } else if (IsSpace(c)) {
      flush_run(i);
      w.Space();
      ++i;
      run_start = i;
    } else {
      ++i;
    }
  }
  flush_run(i);
  return out;
}

}  // namespace mailroom::mime
