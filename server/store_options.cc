#include "server/store_options.h"

namespace mailroom::server {

store::StoreOptions MakeStoreOptions(const std::string& data_dir) {
  store::StoreOptions options;
  options.data_dir = data_dir;
  // ---- INDEX WIRING: set options.text_index here (index/ implements
  // store::TextIndex). Until then text search scans decoded messages.
  return options;
}

}  // namespace mailroom::server
