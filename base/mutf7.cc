#include "base/mutf7.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/utf8.h"

namespace mailroom::base {
namespace {

constexpr char kBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool IsPrintableAscii(uint32_t c) { return c >= 0x20 && c <= 0x7e; }

absl::Status Invalid(size_t at, const char* what) {
  return absl::InvalidArgumentError(
      absl::StrCat("modified UTF-7: ", what, " at byte ", at));
}

// Writes UTF-16 units as one base64 run between '&' and '-'.
void FlushRun(std::vector<uint16_t>* units, std::string* out) {
  if (units->empty()) return;
  out->push_back('&');
  uint32_t bits = 0;
  int count = 0;
  for (uint16_t unit : *units) {
    bits = (bits << 16) | unit;
    count += 16;
    while (count >= 6) {
      count -= 6;
      out->push_back(kBase64[(bits >> count) & 0x3f]);
    }
  }
  if (count > 0) out->push_back(kBase64[(bits << (6 - count)) & 0x3f]);
  out->push_back('-');
  units->clear();
}

// Decodes the base64 run mutf7[begin, end) (between '&' and '-') onto
// `out`.
absl::Status DecodeRun(std::string_view mutf7, size_t begin, size_t end,
                       Mutf7Decoding decoding, std::string* out) {
  uint32_t bits = 0;
  int count = 0;
  uint16_t high_surrogate = 0;
  for (size_t k = begin; k < end; ++k) {
    const int value = Base64Value(mutf7[k]);
    if (value < 0) return Invalid(k, "bad base64 character");
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count < 16) continue;
    count -= 16;
    const uint16_t unit = static_cast<uint16_t>((bits >> count) & 0xffff);
    bits &= (1u << count) - 1;
    if (high_surrogate != 0) {
      if (unit < 0xdc00 || unit > 0xdfff) {
        return Invalid(k, "unpaired surrogate");
      }
      AppendUtf8(0x10000 + ((high_surrogate - 0xd800) << 10) + (unit - 0xdc00),
                 out);
      high_surrogate = 0;
    } else if (unit >= 0xd800 && unit <= 0xdbff) {
      high_surrogate = unit;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return Invalid(k, "unpaired surrogate");
    } else if (IsPrintableAscii(unit) && decoding == Mutf7Decoding::kStrict) {
      return Invalid(k, "printable ASCII encoded in base64");
    } else {
      AppendUtf8(unit, out);
    }
  }
  if (high_surrogate != 0) return Invalid(end, "unpaired surrogate");
  if (count >= 6 || bits != 0) {
    return Invalid(end, "base64 run does not end on a character");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> EncodeMutf7(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> run;
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = 0;
    const size_t length = Utf8SequenceLength(utf8.substr(i), &cp);
    if (length == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("not valid UTF-8 at byte ", i, " of a mailbox name"));
    }
    i += length;
    if (IsPrintableAscii(cp)) {
      FlushRun(&run, &out);
      out.push_back(static_cast<char>(cp));
      if (cp == '&') out.push_back('-');
      continue;
    }
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      run.push_back(static_cast<uint16_t>(0xd800 | (v >> 10)));
      run.push_back(static_cast<uint16_t>(0xdc00 | (v & 0x3ff)));
    } else {
      run.push_back(static_cast<uint16_t>(cp));
    }
  }
  FlushRun(&run, &out);
  return out;
}

absl::StatusOr<std::string> DecodeMutf7(std::string_view mutf7,
                                        Mutf7Decoding decoding) {
  const bool strict = decoding == Mutf7Decoding::kStrict;
  std::string out;
  size_t previous_run_end = std::string_view::npos;  // index of its '-'
  for (size_t i = 0; i < mutf7.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(mutf7[i]);
    if (!IsPrintableAscii(c)) return Invalid(i, "byte is not printable ASCII");
    if (c != '&') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    const size_t end = mutf7.find('-', i + 1);
    if (end == std::string_view::npos) return Invalid(i, "'&' without its '-'");
    if (end == i + 1) {  // "&-" is '&'
      out.push_back('&');
      i = end;
      continue;
    }
    // The encoder writes one run for consecutive non-ASCII characters.
    if (strict && previous_run_end != std::string_view::npos &&
        previous_run_end + 1 == i) {
      return Invalid(i, "base64 run right after another");
    }
    if (absl::Status s = DecodeRun(mutf7, i + 1, end, decoding, &out);
        !s.ok()) {
      return s;
    }
    previous_run_end = end;
    i = end;
  }
  return out;
}

}  // namespace mailroom::base
