#include "mailio/mbox_reader.h"

#include <cctype>
#include <cstdlib>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace mailroom::mailio {
namespace {

bool IsFromLine(absl::string_view line) {
  return absl::StartsWith(line, "From ");
}

// ">From ", ">>From " ...: an escaped body line (mboxrd; mboxo escapes one
// level only, which this also undoes).
bool IsEscapedFrom(absl::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return i > 0 && absl::StartsWith(line.substr(i), "From ");
}

int MonthNumber(absl::string_view name) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int i = 0; i < 12; ++i) {
    if (absl::EqualsIgnoreCase(name.substr(0, 3), kMonths[i])) return i + 1;
  }
  return 0;
}

}  // namespace

std::optional<int64_t> ParseFromLineDate(std::string_view from_line) {
  std::vector<absl::string_view> tokens =
      absl::StrSplit(absl::string_view(from_line.data(), from_line.size()),
                     ' ', absl::SkipEmpty());
  // tokens: "From", sender, [weekday], month, day, time, [zone], year, [zone]
  int month = 0, day = 0, hour = -1, minute = 0, second = 0;
  int64_t year = 0;
  int zone_minutes = 0;
  for (size_t i = 2; i < tokens.size(); ++i) {
    absl::string_view t = tokens[i];
    int number = 0;
    if (month == 0 && t.size() >= 3 && MonthNumber(t) != 0 &&
        absl::ascii_isalpha(static_cast<unsigned char>(t[0]))) {
      // A weekday never matches a month name, so the first match is it.
      month = MonthNumber(t);
    } else if (month != 0 && day == 0 && absl::SimpleAtoi(t, &number)) {
      day = number;
    } else if (hour < 0 && absl::StrContains(t, ':')) {
      std::vector<absl::string_view> hms = absl::StrSplit(t, ':');
      if (hms.size() < 2 || !absl::SimpleAtoi(hms[0], &hour) ||
          !absl::SimpleAtoi(hms[1], &minute) ||
          (hms.size() > 2 && !absl::SimpleAtoi(hms[2], &second))) {
        return std::nullopt;
      }
    } else if ((t[0] == '+' || t[0] == '-') && t.size() == 5) {
      int hhmm = 0;
      if (absl::SimpleAtoi(t.substr(1), &hhmm)) {
        zone_minutes = (hhmm / 100 * 60 + hhmm % 100) * (t[0] == '-' ? -1 : 1);
      }
    } else if (day != 0 && t.size() == 4 && absl::SimpleAtoi(t, &year)) {
      // the year
    }
  }
  if (month == 0 || day == 0 || hour < 0 || year == 0) return std::nullopt;
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  return absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone())) -
         int64_t{zone_minutes} * 60;
}

std::optional<MboxMessage> MboxReader::Next() {
  std::string line;
  if (!pending_from_.has_value()) {
    // Skip anything before the first "From " line.
    while (std::getline(*in_, line)) {
      if (IsFromLine(line)) {
        pending_from_ = line;
        break;
      }
    }
    if (!pending_from_.has_value()) return std::nullopt;
  }
  MboxMessage message;
  message.internal_date = ParseFromLineDate(*pending_from_);
  pending_from_.reset();
  bool previous_blank = false;  // the separator blank line before "From "
  while (std::getline(*in_, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (IsFromLine(line)) {
      pending_from_ = line;
      break;
    }
    if (previous_blank) message.data.append("\r\n");
    previous_blank = line.empty();
    if (previous_blank) continue;
    if (IsEscapedFrom(line)) line.erase(0, 1);
    message.data.append(line);
    message.data.append("\r\n");
  }
  return message;
}

}  // namespace mailroom::mailio
