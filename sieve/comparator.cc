#include "sieve/comparator.h"

#include <cstdint>

#include "absl/strings/ascii.h"

#include "sieve/text.h"

namespace mailroom::sieve {
namespace {

bool CharEq(Comparator c, char a, char b) {
  if (c == Comparator::kAsciiCasemap) return absl::ascii_tolower(a) == absl::ascii_tolower(b);
  return a == b;
}

// Length of the UTF-8 sequence starting with `lead` (1 when not a lead).
size_t Utf8Length(std::string_view s, size_t i) {
  const unsigned char lead = static_cast<unsigned char>(s[i]);
  size_t n = 1;
  if (lead >= 0xF0 && lead < 0xF8) n = 4;
  else if (lead >= 0xE0) n = 3;
  else if (lead >= 0xC0) n = 2;
  if (n == 1 || i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

// The leading digits of `s` without leading zeros; nullopt when none
// (positive infinity).
std::optional<std::string_view> NumericValue(std::string_view s) {
  size_t end = 0;
  while (end < s.size() && absl::ascii_isdigit(s[end])) ++end;
  if (end == 0) return std::nullopt;
  std::string_view digits = s.substr(0, end);
  while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
  return digits;
}

struct PatternItem {
  enum Kind { kLiteral, kAny, kStar } kind;
  char c = 0;
  int capture = -1;  // index into the captures for wildcards
};

}  // namespace

std::optional<Comparator> ParseComparator(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "i;octet") return Comparator::kOctet;
  if (lower == "i;ascii-casemap") return Comparator::kAsciiCasemap;
  if (lower == "i;ascii-numeric") return Comparator::kAsciiNumeric;
  return std::nullopt;
}

std::optional<Relation> ParseRelation(std::string_view name) {
  const std::string lower = Lower(name);
  if (lower == "gt") return Relation::kGt;
  if (lower == "ge") return Relation::kGe;
  if (lower == "lt") return Relation::kLt;
  if (lower == "le") return Relation::kLe;
  if (lower == "eq") return Relation::kEq;
  if (lower == "ne") return Relation::kNe;
  return std::nullopt;
}

int Compare(Comparator c, std::string_view a, std::string_view b) {
  if (c == Comparator::kAsciiNumeric) {
    const auto na = NumericValue(a), nb = NumericValue(b);
    if (!na || !nb) return (na ? -1 : !nb ? 0 : 1);
    if (na->size() != nb->size()) return na->size() < nb->size() ? -1 : 1;
    return na->compare(*nb);
  }
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = a[i], y = b[i];
    if (c == Comparator::kAsciiCasemap) {
      x = absl::ascii_tolower(x);
      y = absl::ascii_tolower(y);
    }
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

bool Relate(Relation r, int ordering) {
  switch (r) {
    case Relation::kGt: return ordering > 0;
    case Relation::kGe: return ordering >= 0;
    case Relation::kLt: return ordering < 0;
    case Relation::kLe: return ordering <= 0;
    case Relation::kEq: return ordering == 0;
    case Relation::kNe: return ordering != 0;
  }
  return false;
}

bool Contains(Comparator c, std::string_view value, std::string_view key) {
  if (key.empty()) return true;
  if (key.size() > value.size()) return false;
  // Knuth-Morris-Pratt: linear even for hostile keys and bodies.
  std::vector<size_t> fail(key.size(), 0);
  for (size_t i = 1, k = 0; i < key.size(); ++i) {
    while (k > 0 && !CharEq(c, key[i], key[k])) k = fail[k - 1];
    if (CharEq(c, key[i], key[k])) ++k;
    fail[i] = k;
  }
  for (size_t i = 0, k = 0; i < value.size(); ++i) {
    while (k > 0 && !CharEq(c, value[i], key[k])) k = fail[k - 1];
    if (CharEq(c, value[i], key[k])) ++k;
    if (k == key.size()) return true;
  }
  return false;
}

bool GlobMatch(Comparator c, std::string_view value, std::string_view pattern,
               std::vector<std::string>* captures, uint64_t* budget) {
  std::vector<PatternItem> pat;
  int wildcards = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char ch = pattern[i];
    if (ch == '\\' && i + 1 < pattern.size()) {
      pat.push_back({PatternItem::kLiteral, pattern[++i]});
    } else if (ch == '*') {
      // Adjacent stars match like one; the later ones capture "".
      pat.push_back({PatternItem::kStar, 0, wildcards++});
    } else if (ch == '?') {
      pat.push_back({PatternItem::kAny, 0, wildcards++});
    } else {
      pat.push_back({PatternItem::kLiteral, ch});
    }
  }
  struct Span { size_t start = 0, length = 0; };
  std::vector<Span> spans(wildcards);
  size_t p = 0, s = 0;
  size_t star_p = SIZE_MAX, star_s = 0;
  const size_t m = pat.size(), n = value.size();
  while (s < n) {
    if (budget != nullptr) {
      if (*budget == 0) return false;
      --*budget;
    }
    if (p < m && pat[p].kind == PatternItem::kStar) {
      star_p = p;
      star_s = s;
      spans[pat[p].capture] = {s, 0};
      ++p;
    } else if (p < m && pat[p].kind == PatternItem::kAny) {
      const size_t len = Utf8Length(value, s);
      spans[pat[p].capture] = {s, len};
      s += len;
      ++p;
    } else if (p < m && pat[p].kind == PatternItem::kLiteral && CharEq(c, pat[p].c, value[s])) {
      ++p;
      ++s;
    } else if (star_p != SIZE_MAX) {
      // Let the last star take one more character and retry after it.
      star_s += Utf8Length(value, star_s);
      Span& span = spans[pat[star_p].capture];
      span.length = star_s - span.start;
      s = star_s;
      p = star_p + 1;
    } else {
      return false;
    }
  }
  while (p < m && pat[p].kind == PatternItem::kStar) {
    spans[pat[p].capture] = {n, 0};
    ++p;
  }
  if (p != m) return false;
  if (captures != nullptr) {
    captures->clear();
    captures->emplace_back(value);
    for (const Span& span : spans) captures->emplace_back(value.substr(span.start, span.length));
  }
  return true;
}

std::string QuoteWildcards(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '*' || ch == '?' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  return out;
}

}  // namespace mailroom::sieve
