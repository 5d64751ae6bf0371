// RFC 5228 §2.4.2.4 "encoded-character": "${hex: 41 42}" and
// "${unicode: 263A}" inside strings, decoded when the script compiles.
#ifndef MAILROOM_SIEVE_ENCODED_CHARACTER_H_
#define MAILROOM_SIEVE_ENCODED_CHARACTER_H_

#include <string>

namespace mailroom::sieve {

// Replaces every well-formed encoding in `s`; malformed ones stay as
// written (as the RFC requires). Returns false with `error` set when a
// ${unicode:...} names a surrogate or a value above U+10FFFF.
bool DecodeEncodedCharacters(std::string* s, std::string* error);

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_ENCODED_CHARACTER_H_
