#include "server/store_options.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "index/xapian_index.h"

namespace mailroom::server {

bool SetStoreSetting(StoreSettings& settings, std::string_view name,
                     std::string value) {
  if (name == "store") {
    settings.engine = std::move(value);
  } else if (name == "rados_conf") {
    settings.rados_conf = std::move(value);
  } else if (name == "rados_pool") {
    settings.rados_pool = std::move(value);
  } else if (name == "rados_namespace") {
    settings.rados_namespace = std::move(value);
  } else if (name == "rados_user") {
    settings.rados_user = std::move(value);
  } else if (name == "rados_op_timeout_seconds") {
    return absl::SimpleAtoi(value, &settings.rados_op_timeout_seconds) &&
           settings.rados_op_timeout_seconds > 0;
  } else if (name == "min_free_disk_bytes") {
    return absl::SimpleAtoi(value, &settings.min_free_disk_bytes);
  } else if (name == "index_commit_delay_ms") {
    return absl::SimpleAtoi(value, &settings.index_commit_delay_ms) &&
           settings.index_commit_delay_ms >= 0 &&
           settings.index_commit_delay_ms <= 60000;
  } else if (name == "sieve_max_script_bytes") {
    return absl::SimpleAtoi(value, &settings.sieve_max_script_bytes) &&
           settings.sieve_max_script_bytes > 0;
  } else if (name == "sieve_max_scripts") {
    return absl::SimpleAtoi(value, &settings.sieve_max_scripts) &&
           settings.sieve_max_scripts > 0;
  } else {
    return false;
  }
  return true;
}

absl::StatusOr<store::StoreOptions> MakeStoreOptions(
    const std::string& data_dir, const StoreSettings& settings) {
  if (settings.index_commit_delay_ms < 0 ||
      settings.index_commit_delay_ms > 60000) {
    return absl::InvalidArgumentError(
        "index_commit_delay_ms must be between 0 and 60000");
  }
  store::StoreOptions options;
  options.data_dir = data_dir;
  options.min_free_disk_bytes = settings.min_free_disk_bytes;
  options.index_commit_delay_ms = settings.index_commit_delay_ms;
  options.sieve_max_script_bytes = settings.sieve_max_script_bytes;
  options.sieve_max_scripts = settings.sieve_max_scripts;
  if (settings.engine == "rocksdb") {
    options.engine = store::EngineKind::kRocksDb;
  } else if (settings.engine == "rados") {
    if (settings.rados_conf.empty()) {
      return absl::InvalidArgumentError(
          "--store=rados needs --rados_conf (the cluster's ceph.conf)");
    }
    options.engine = store::EngineKind::kRados;
    options.rados.conf_file = settings.rados_conf;
    options.rados.pool = settings.rados_pool;
    options.rados.ns = settings.rados_namespace;
    options.rados.user = settings.rados_user;
    options.rados.op_timeout_seconds = settings.rados_op_timeout_seconds;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown store engine '", settings.engine, "' (rocksdb or rados)"));
  }
  // ---- INDEX WIRING: the Xapian full-text index under <data_dir>/index
  // (with RADOS, a cache of this node's). If it cannot be opened, text
  // search scans decoded messages instead.
  if (auto index = index::OpenXapianIndex(data_dir + "/index"); index.ok()) {
    options.text_index = *std::move(index);
  }
  return options;
}

}  // namespace mailroom::server
