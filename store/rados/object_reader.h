// Reading rows of objects as committed, resolving the locks met on the way
// (layout.h, "Lock resolution"). Two modes:
//   latest   every call reads afresh and resolves the locks on the rows it
//            reads; rows locked by a live pending transaction read as their
//            current (last committed) value.
//   pinned   (Snapshot) the first read of an object resolves every lock of
//            it that is not a live pending one and pins the object's data
//            version (xattr "dv"); later reads fetch it with the rows and
//            fail with kAborted when the object's rows have changed.
//
// Thread-safety: a latest-mode reader is thread-safe (no mutable state); a
// pinned one is used by one thread at a time.
#ifndef MAILROOM_STORE_RADOS_OBJECT_READER_H_
#define MAILROOM_STORE_RADOS_OBJECT_READER_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "store/rados/rados_io.h"
#include "store/rados/resolver.h"

namespace mailroom::store::rados {

class ObjectReader {
 public:
  ObjectReader(RadosIo* io, Resolver* resolver, bool pinned)
      : io_(io), resolver_(resolver), pinned_(pinned) {}

  struct Keys {
    std::map<std::string, std::string> values;  // omap key -> stored value
    // Rows locked by a live pending transaction (latest mode only).
    std::set<std::string> alive_locked;
    // The object's directory markers (layout.h), when asked for.
    std::set<std::string> markers;
  };
  // The rows `keys` (omap keys) of `object`; absent rows are left out.
  absl::Status ReadKeys(const std::string& object,
                        const std::set<std::string>& keys, bool want_markers,
                        Keys* out);

  // One page of a range read: rows with keys in [start, end) that start
  // with `prefix` (start itself excluded when `after`; end empty: no bound
  // but the prefix).
  struct PageRequest {
    std::string prefix;
    std::string start;
    bool after = false;
    std::string end;
  };
  struct Page {
    std::vector<std::pair<std::string, std::string>> rows;  // key, stored
    bool done = false;  // nothing more in the range
    std::string last;   // when !done: continue after this key
  };
  absl::Status ReadPage(const std::string& object, const PageRequest& request,
                        Page* out);

  bool pinned() const { return pinned_; }

  static constexpr size_t kPageSize = 1024;

 private:
  struct Pin {
    bool exists = false;
    std::string data_version;  // "" when the object never had rows
  };
  // Pinned mode: the object's pin, made on first use.
  absl::StatusOr<Pin> PinOf(const std::string& object);
  // Pinned mode: checks a read (its result and the xattrs it fetched)
  // against the pin.
  absl::Status CheckPinned(
      const std::string& object, const Pin& pin, int rc,
      const std::map<std::string, librados::bufferlist>& xattrs, bool* absent);

  RadosIo* const io_;
  Resolver* const resolver_;
  const bool pinned_;
  absl::flat_hash_map<std::string, Pin> pins_;  // pinned mode only
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_OBJECT_READER_H_
