// Dates for the date and currentdate tests (RFC 5260): parsing an RFC 5322
// date-time header value and extracting the date parts of §4.2.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_SIEVE_DATE_H_
#define MAILROOM_SIEVE_DATE_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace mailroom::sieve {

struct DateTime {
  absl::Time time;
  int offset_minutes = 0;  // the zone the date was written in
};

// An RFC 5322 (or obsolete RFC 822) date-time; nullopt when unparseable.
std::optional<DateTime> ParseDateTime(std::string_view value);

// "+hhmm" / "-hhmm" to minutes east of UTC.
std::optional<int> ParseZone(std::string_view zone);

// Date part `part` (lower case, one of IsDatePart) of `time` as seen in
// the zone `offset_minutes` east of UTC.
std::string DatePart(absl::Time time, int offset_minutes, std::string_view part);

// The UTC offset `zone` has at `time`, in minutes.
int OffsetAt(const absl::TimeZone& zone, absl::Time time);

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_DATE_H_
