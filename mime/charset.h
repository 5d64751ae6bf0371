// Charset conversion to UTF-8 for decoded MIME text. Conversion never fails:
// unknown charsets and undecodable bytes degrade gracefully (see below).
//
// Thread-safety: free functions; safe to call concurrently (converters are
// cached per thread).
#ifndef MAILROOM_MIME_CHARSET_H_
#define MAILROOM_MIME_CHARSET_H_

#include <string>
#include <string_view>

namespace mailroom::mime {

// True if `bytes` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view bytes);

// Appends `bytes`, declared as `charset`, to `out` as UTF-8.
// - Empty, "us-ascii" and unknown charsets: well-formed UTF-8 is kept as is,
//   anything else is read as Windows-1252 (a superset of Latin-1), so no byte
//   is lost for search.
// - "utf-8": ill-formed sequences become U+FFFD.
// - Any other charset iconv knows: converted; undecodable bytes become U+FFFD.
void AppendUtf8(std::string_view bytes, std::string_view charset,
                std::string* out);
std::string ToUtf8(std::string_view bytes, std::string_view charset);

// Appends well-formed UTF-8: valid input unchanged, ill-formed sequences
// replaced by U+FFFD (one per offending byte).
void AppendReplacingInvalidUtf8(std::string_view bytes, std::string* out);

// Appends code point `cp` encoded as UTF-8 (invalid ones as U+FFFD).
void AppendCodePoint(uint32_t cp, std::string* out);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_CHARSET_H_
