#include "sieve/date.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sieve/text.h"

namespace mailroom::sieve {
namespace {

constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr const char* kMonthNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::optional<int> Number(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<int> NamedZone(std::string_view name) {
  const std::string z = Upper(name);
  if (z == "UT" || z == "GMT" || z == "Z") return 0;
  if (z == "EDT") return -4 * 60;
  if (z == "EST" || z == "CDT") return -5 * 60;
  if (z == "CST" || z == "MDT") return -6 * 60;
  if (z == "MST" || z == "PDT") return -7 * 60;
  if (z == "PST") return -8 * 60;
  if (z.size() == 1 && absl::ascii_isalpha(z[0])) return 0;  // military: unknown
  return std::nullopt;
}

}  // namespace

std::optional<int> ParseZone(std::string_view zone) {
  if (zone.size() != 5 || (zone[0] != '+' && zone[0] != '-')) return std::nullopt;
  for (size_t i = 1; i < 5; ++i) {
    if (!absl::ascii_isdigit(zone[i])) return std::nullopt;
  }
  const int hh = (zone[1] - '0') * 10 + (zone[2] - '0');
  const int mm = (zone[3] - '0') * 10 + (zone[4] - '0');
  if (hh > 23 || mm > 59) return std::nullopt;
  const int minutes = hh * 60 + mm;
  return zone[0] == '-' ? -minutes : minutes;
}

std::optional<DateTime> ParseDateTime(std::string_view value) {
  // Drop comments, then split on white space and commas.
  std::string text;
  int depth = 0;
  for (char c : value) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0) text.push_back(c == ',' ? ' ' : c);
  }
  std::vector<std::string_view> words = Split(text, " \t\r\n", true);
  size_t i = 0;
  if (i < words.size() && absl::ascii_isalpha(words[i][0])) ++i;  // day of week
  if (words.size() < i + 4) return std::nullopt;
  const auto day = Number(words[i]);
  int month = 0;
  for (int m = 0; m < 12; ++m) {
    if (Lower(words[i + 1]) == kMonths[m]) month = m + 1;
  }
  auto year = Number(words[i + 2]);
  if (!day || month == 0 || !year || *day < 1 || *day > 31) return std::nullopt;
  if (words[i + 2].size() == 2) *year += *year < 50 ? 2000 : 1900;
  else if (words[i + 2].size() == 3) *year += 1900;
  std::vector<std::string_view> hms = Split(words[i + 3], ":", false);
  if (hms.size() < 2 || hms.size() > 3) return std::nullopt;
  const auto hour = Number(hms[0]), minute = Number(hms[1]);
  const auto second = hms.size() == 3 ? Number(hms[2]) : std::optional<int>(0);
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  int offset = 0;  // RFC 5322 §4.3: a missing or unknown zone reads as -0000
  if (words.size() > i + 4) {
    const std::string_view z = words[i + 4];
    if (auto parsed = ParseZone(z)) offset = *parsed;
    else if (auto named = NamedZone(z)) offset = *named;
    else return std::nullopt;
  }
  const absl::CivilSecond civil(*year, month, *day, *hour, *minute, std::min(*second, 59));
  if (civil.day() != *day) return std::nullopt;  // e.g. 31 Feb
  DateTime dt;
  dt.offset_minutes = offset;
  dt.time = absl::FromCivil(civil, absl::FixedTimeZone(offset * 60));
  return dt;
}

int OffsetAt(const absl::TimeZone& zone, absl::Time time) {
  return zone.At(time).offset / 60;
}

std::string DatePart(absl::Time time, int offset_minutes, std::string_view part) {
  const absl::TimeZone tz = absl::FixedTimeZone(offset_minutes * 60);
  const absl::CivilSecond c = absl::ToCivilSecond(time, tz);
  const int abs_off = std::abs(offset_minutes);
  const std::string zone = absl::StrFormat("%c%02d%02d", offset_minutes < 0 ? '-' : '+',
                                           abs_off / 60, abs_off % 60);
  if (part == "year") return absl::StrFormat("%04d", c.year());
  if (part == "month") return absl::StrFormat("%02d", c.month());
  if (part == "day") return absl::StrFormat("%02d", c.day());
  if (part == "date") return absl::StrFormat("%04d-%02d-%02d", c.year(), c.month(), c.day());
  if (part == "julian") {
    // Modified Julian Day: days since 1858-11-17.
    return Cat(absl::CivilDay(c) - absl::CivilDay(1858, 11, 17));
  }
  if (part == "hour") return absl::StrFormat("%02d", c.hour());
  if (part == "minute") return absl::StrFormat("%02d", c.minute());
  if (part == "second") return absl::StrFormat("%02d", c.second());
  if (part == "time") return absl::StrFormat("%02d:%02d:%02d", c.hour(), c.minute(), c.second());
  if (part == "zone") return zone;
  const int weekday_from_monday = static_cast<int>(absl::GetWeekday(absl::CivilDay(c)));
  if (part == "weekday") return Cat((weekday_from_monday + 1) % 7);  // 0 = Sunday
  if (part == "iso8601") {
    return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year(), c.month(),
                           c.day(), c.hour(), c.minute(), c.second(),
                           offset_minutes < 0 ? '-' : '+', abs_off / 60, abs_off % 60);
  }
  if (part == "std11") {
    return absl::StrFormat("%s, %d %s %04d %02d:%02d:%02d %s", kDays[weekday_from_monday],
                           c.day(), kMonthNames[c.month() - 1], c.year(), c.hour(), c.minute(),
                           c.second(), zone);
  }
  return "";
}

}  // namespace mailroom::sieve
