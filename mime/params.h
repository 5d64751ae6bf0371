// Structured MIME header values: Content-Type, Content-Disposition,
// Content-Transfer-Encoding and Content-Language, with RFC 2231 parameters.
// Lenient: comments are skipped, unquoted values with spaces are accepted,
// and garbage never fails a parse.
//
// Thread-safety: free functions; safe to call concurrently.
#ifndef MAILROOM_MIME_PARAMS_H_
#define MAILROOM_MIME_PARAMS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace mailroom::mime {

struct ContentType {
  bool valid = false;   // false: no usable "type/subtype" was found
  std::string type;     // lower case
  std::string subtype;  // lower case
  std::vector<Param> params;
};

// Parses a Content-Type value (unfolded or not).
ContentType ParseContentType(std::string_view value);

// Parses a Content-Disposition value: the lower-cased disposition type (empty
// if missing) and its parameters.
std::string ParseDisposition(std::string_view value, std::vector<Param>* params);

// The first token of a value, lower case, comments and whitespace skipped
// (Content-Transfer-Encoding).
std::string ParseLowerToken(std::string_view value);

// Comma-separated language tags (Content-Language), as written.
std::vector<std::string> ParseLanguageList(std::string_view value);

// Parameters following the first ';' of `value`: names lower case, RFC 2231
// continuations joined and charset'lang'value decoded to UTF-8, other values
// unquoted (8-bit bytes read as UTF-8, else Windows-1252).
std::vector<Param> ParseParams(std::string_view value);

// The value of parameter `name` (lower case), or nullptr.
const std::string* FindParam(const std::vector<Param>& params,
                             std::string_view name);

}  // namespace mailroom::mime

#endif  // MAILROOM_MIME_PARAMS_H_
