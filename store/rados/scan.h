// Range scans of a key space, whichever objects hold it (layout.h): one
// object for the fixed spaces, the 256 body shards in order, and for the
// mailbox and user spaces the directory's rows in order, each partition
// object scanned in turn. Each page (up to 1024 rows of one object) is one
// atomic read; a scan over several pages or objects is not, so it may see
// a transaction that commits while it runs in its later pages only.
#ifndef MAILROOM_STORE_RADOS_SCAN_H_
#define MAILROOM_STORE_RADOS_SCAN_H_

#include <string_view>

#include "absl/status/status.h"
#include "store/engine/engine.h"
#include "store/rados/blobs.h"
#include "store/rados/object_reader.h"

namespace mailroom::store::rados {

// Calls fn(key, value) for every committed row of `space` with a key in
// [begin, end) (end empty: no bound), ascending, until fn returns false.
// Rows are read in pages through `reader` (so in its mode); for kBlobs the
// value is the body, read from its data object.
absl::Status ScanSpace(ObjectReader& reader, BlobStore& blobs,
                       engine::Space space, std::string_view begin,
                       std::string_view end, const engine::ScanFn& fn);

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_SCAN_H_
