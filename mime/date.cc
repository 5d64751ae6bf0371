// RFC 5322 section 3.3 date-time, with the obsolete forms of section 4.3 and
// what mailers write in practice (missing weekday or seconds, asctime order,
// full month names, comments).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/header.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int MonthFromName(std::string_view word) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr",
                                            "may", "jun", "jul", "aug",
                                            "sep", "oct", "nov", "dec"};
  if (word.size() < 3) return 0;
  for (int i = 0; i < 12; ++i) {
    if (EqualsIgnoreCase(word.substr(0, 3), kMonths[i])) return i + 1;
  }
  return 0;
}

// Offset in minutes of an alphabetic zone; military and unknown zones are
// -0000 (RFC 5322 section 4.3: "SHOULD be considered equivalent").
std::optional<int> ZoneFromName(std::string_view word) {
  struct Zone {
    const char* name;
    int minutes;
  };
  static constexpr Zone kZones[] = {
      {"ut", 0},        {"utc", 0},       {"gmt", 0},       {"z", 0},
      {"est", -5 * 60}, {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60},
      {"mst", -7 * 60}, {"mdt", -6 * 60}, {"pst", -8 * 60}, {"pdt", -7 * 60},
  };
  for (const Zone& z : kZones) {
    if (EqualsIgnoreCase(word, z.name)) return z.minutes;
  }
  return std::nullopt;
}

struct DateToken {
  std::string_view text;
  bool numeric;
};

}  // namespace

std::optional<DateTime> ParseDate(std::string_view raw) {
  // Split into words, dropping comments, commas and whitespace.
  std::vector<DateToken> tokens;
  size_t i = 0;
  while (i < raw.size() && tokens.size() < 32) {
    char c = raw[i];
    if (c == '(') {
      int depth = 0;
      while (i < raw.size()) {
        char d = raw[i++];
        if (d == '\\') {
          ++i;
        } else if (d == '(') {
          ++depth;
        } else if (d == ')' && --depth == 0) {
          break;
        }
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
      ++i;
      continue;
    }
    size_t start = i;
    if (IsDigit(c)) {
      // Time ("12:34:56") stays one token; so do numbers.
      while (i < raw.size() && (IsDigit(raw[i]) || raw[i] == ':')) ++i;
      tokens.push_back({raw.substr(start, i - start), true});
    } else if (c == '+' || c == '-') {
      ++i;
      while (i < raw.size() && (IsDigit(raw[i]) || raw[i] == ':')) ++i;
      tokens.push_back({raw.substr(start, i - start), false});
    } else if (IsAlpha(c)) {
      while (i < raw.size() && (IsAlpha(raw[i]) || raw[i] == '.')) ++i;
      tokens.push_back({raw.substr(start, i - start), false});
    } else {
      ++i;
    }
  }

  int day = -1, month = 0, hour = 0, minute = 0, second = 0;
  int64_t year = -1;
  size_t year_digits = 0;
  std::optional<int> zone;
  bool have_time = false;
  for (const DateToken& t : tokens) {
    if (t.numeric && t.text.find(':') != std::string_view::npos) {
      if (have_time) continue;
      int parts[3] = {0, 0, 0};
      int n = 0;
      size_t digits = 0;
      for (char c : t.text) {
        if (c == ':') {
          if (++n > 2 || digits == 0) break;
          digits = 0;
        } else if (digits < 2) {
          parts[n] = parts[n] * 10 + (c - '0');
          ++digits;
        } else {
          n = 3;  // too many digits: not a time
          break;
        }
      }
      if (n < 1 || n > 2) continue;
      hour = parts[0];
      minute = parts[1];
      second = parts[2];
      have_time = true;
    } else if (t.numeric) {
      if (t.text.size() > 4) continue;
      int v = 0;
      for (char c : t.text) v = v * 10 + (c - '0');
      // The first small number is the day unless it can only be a year.
      if (day < 0 && t.text.size() <= 2 && v >= 1 && v <= 31 && year < 0) {
        day = v;
      } else if (year < 0) {
        year = v;
        year_digits = t.text.size();
      } else if (day < 0 && v >= 1 && v <= 31) {
        day = v;
      }
    } else if (t.text[0] == '+' || t.text[0] == '-') {
      if (zone || !have_time) continue;
      std::string digits;
      for (char c : t.text.substr(1)) {
        if (IsDigit(c)) digits.push_back(c);
      }
      if (digits.size() != 4) continue;
      int hh = (digits[0] - '0') * 10 + (digits[1] - '0');
      int mm = (digits[2] - '0') * 10 + (digits[3] - '0');
      if (mm >= 60) continue;
      zone = (t.text[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    } else {
      int m = MonthFromName(t.text);
      if (month == 0 && m != 0 && t.text.size() <= 9) {
        month = m;
      } else if (!zone && have_time) {
        std::optional<int> z = ZoneFromName(t.text);
        // Military zones and anything unknown after the time: -0000.
        zone = z ? *z : 0;
      }
    }
  }
  if (day < 1 || month == 0 || year < 0) return std::nullopt;
  // RFC 5322 section 4.3: two-digit years below 50 are 20xx, others 19xx;
  // three-digit years add 1900.
  if (year_digits <= 2) {
    year += year < 50 ? 2000 : 1900;
  } else if (year_digits == 3) {
    year += 1900;
  }
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30,
                                         31, 31, 30, 31, 30, 31};
  if (day > kDaysInMonth[month - 1] || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  if (second == 60) second = 59;  // leap second
  int tz = zone.value_or(0);
  DateTime dt;
  dt.unix_seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 +
                    minute * 60 + second - static_cast<int64_t>(tz) * 60;
  dt.tz_minutes = tz;
  return dt;
}

}  // namespace mailroom::mime
