// What a differential test variant plugs in: the index under test and an
// independent way to decode and fold messages for the brute-force answer.
#ifndef MAILROOM_TESTS_INDEX_DIFFERENTIAL_VARIANT_H_
#define MAILROOM_TESTS_INDEX_DIFFERENTIAL_VARIANT_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "store/text_index.h"

namespace mailroom::index::testing {

struct BruteDoc {
  std::vector<std::pair<std::string, std::string>> headers;  // folded values
  std::string body;                                          // folded
  // The same before folding (header values in the order above): search
  // keys cut from these exercise case folding beyond ASCII.
  std::vector<std::string> unfolded_values;
  std::string unfolded_body;
};

absl::StatusOr<std::shared_ptr<store::TextIndex>> OpenIndexUnderTest(
    const std::string& root);
BruteDoc BruteExtract(std::string_view raw);
std::string BruteFold(std::string_view text);
// The structure handed to the index with each body, as the store keeps it
// (null when the variant's index parses nothing).
std::shared_ptr<const std::string> StoredStructure(std::string_view raw);
// How many random key trees to try.
int QueryCount();

}  // namespace mailroom::index::testing

#endif  // MAILROOM_TESTS_INDEX_DIFFERENTIAL_VARIANT_H_
