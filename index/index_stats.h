// What an administrator wants to know about one owner's index on disk: its
// size and when work was last committed to it. Read from the file system,
// so it works beside a running indexer without taking its locks.
//
// Thread-safety: thread-safe.
#ifndef MAILROOM_INDEX_INDEX_STATS_H_
#define MAILROOM_INDEX_INDEX_STATS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailroom::index {

struct OwnerIndexStats {
  bool exists = false;     // the owner has a database
  uint64_t bytes = 0;      // its files on disk
  // When the last Apply() committed to it (seconds since the epoch).
  std::optional<int64_t> last_commit_unix;
};

// The directory of `owner`'s database under `root` (index/schema.h).
std::string OwnerDirectory(std::string_view root, std::string_view owner);

OwnerIndexStats StatOwnerIndex(std::string_view root, std::string_view owner);

// The root of the index this process opened last (OpenXapianTextIndex), or
// "" when it opened none: the admin commands run on a store and find the
// index through it.
std::string OpenedIndexRoot();
void RememberOpenedIndexRoot(std::string root);

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_INDEX_STATS_H_
