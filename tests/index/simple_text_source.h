// A text source without MIME decoding, for tests that exercise the index
// rather than mime/: header fields are unfolded but not decoded, the body is
// everything after the header block, and folding is ASCII lower-casing.
#ifndef MAILROOM_TESTS_INDEX_SIMPLE_TEXT_SOURCE_H_
#define MAILROOM_TESTS_INDEX_SIMPLE_TEXT_SOURCE_H_

#include "index/folded_text.h"

namespace mailroom::index::testing {

TextSource SimpleTextSource();

}  // namespace mailroom::index::testing

#endif  // MAILROOM_TESTS_INDEX_SIMPLE_TEXT_SOURCE_H_
