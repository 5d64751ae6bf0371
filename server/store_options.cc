#include "server/store_options.h"

#include "index/xapian_index.h"

namespace mailroom::server {

store::StoreOptions MakeStoreOptions(const std::string& data_dir) {
  store::StoreOptions options;
  options.data_dir = data_dir;
  // ---- INDEX WIRING: the Xapian full-text index under <data_dir>/index.
  // If it cannot be opened, text search scans decoded messages instead.
  if (auto index = index::OpenXapianIndex(data_dir + "/index"); index.ok()) {
    options.text_index = *std::move(index);
  }
  return options;
}

}  // namespace mailroom::server
