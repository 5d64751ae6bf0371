// The one place where the daemon and mailroomctl build StoreOptions: the
// engine the settings name, and the full-text index attached.
#ifndef MAILROOM_SERVER_STORE_OPTIONS_H_
#define MAILROOM_SERVER_STORE_OPTIONS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/store.h"

namespace mailroom::server {

// The store settings both binaries take as flags and config keys.
struct StoreSettings {
  std::string engine = "rocksdb";  // --store: rocksdb | rados
  std::string rados_conf;          // --rados_conf: the cluster's ceph.conf
  std::string rados_pool = "mailroom";
  std::string rados_namespace;     // one per installation
  std::string rados_user = "admin";  // client id, as in client.<id>
  int rados_op_timeout_seconds = 30;  // then kUnavailable: a lost cluster
  // RocksDB: writes get a temporary error below this much free disk.
  uint64_t min_free_disk_bytes = 64ull << 20;
  // How long queued index work gathers before the indexer applies it.
  int index_commit_delay_ms = 500;
  // Sieve scripts per owner: largest source, and how many (RFC 5804 QUOTA).
  uint64_t sieve_max_script_bytes = 64 << 10;
  uint64_t sieve_max_scripts = 20;
};

// Sets one setting from a flag name without dashes ("store", "rados_conf",
// ...). False when `name` is not a store setting or its value is invalid.
bool SetStoreSetting(StoreSettings& settings, std::string_view name,
                     std::string value);

// kInvalidArgument for an unknown engine or a RADOS engine without a
// configuration file.
absl::StatusOr<store::StoreOptions> MakeStoreOptions(
    const std::string& data_dir, const StoreSettings& settings = {});

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_STORE_OPTIONS_H_
