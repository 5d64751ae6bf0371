#include "store/rados/object_reader.h"

#include <cerrno>
#include <optional>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "store/rados/layout.h"
#include "store/rados/rados_status.h"

namespace mailroom::store::rados {

namespace {

// Rounds of read-resolve-read before giving up on an object whose locks
// keep changing under us.
constexpr int kMaxRounds = 16;

using OmapMap = std::map<std::string, librados::bufferlist>;

std::map<std::string, std::string> ToStrings(const OmapMap& in) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : in) out[key] = value.to_str();
  return out;
}

absl::Status Unsettled(const std::string& object) {
  return absl::UnavailableError(
      absl::StrCat("rados: the locks of ", object, " keep changing"));
}

}  // namespace

namespace {

std::string DataVersionOf(const OmapMap& xattrs) {
  auto it = xattrs.find(kDataVersionXattr);
  return it == xattrs.end() ? std::string() : it->second.to_str();
}

}  // namespace

absl::StatusOr<ObjectReader::Pin> ObjectReader::PinOf(
    const std::string& object) {
  if (auto it = pins_.find(object); it != pins_.end()) return it->second;
  const std::string lock_prefix(1, kLockPrefix);
  for (int round = 0; round < kMaxRounds; ++round) {
    std::map<std::string, std::string> locks;
    std::string data_version;
    uint64_t version = 0;
    bool restart = false;
    std::string after;
    // Every lock of the object, with its data version; more than a page of
    // locks is read page by page at one object version.
    for (bool first = true;; first = false) {
      librados::ObjectReadOperation op;
      OmapMap page, xattrs;
      bool more = false;
      if (!first) op.assert_version(version);
      if (first) op.getxattrs(&xattrs, nullptr);
      op.omap_get_vals2(after, lock_prefix, kPageSize, &page, &more, nullptr);
      RadosIo::Result r = io_->Read(object, &op);
      if (first && r.rc == -ENOENT) {
        pins_[object] = Pin{};
        return Pin{};
      }
      if (!first &&
          (r.rc == -ERANGE || r.rc == -EOVERFLOW || r.rc == -ENOENT)) {
        restart = true;
        break;
      }
      if (r.rc < 0) return FromRados(r.rc, absl::StrCat("read ", object));
      if (first) {
        version = r.version;
        data_version = DataVersionOf(xattrs);
      }
      for (auto& [key, value] : page) locks[key] = value.to_str();
      if (!more || page.empty()) break;
      after = page.rbegin()->first;
    }
    if (restart) continue;
    if (!locks.empty()) {
      MR_ASSIGN_OR_RETURN(Resolver::LockReport report,
                          resolver_->ResolveLocks(object, locks));
      // Only live pending locks may stay under a pin: their rows read as the
      // committed values, whatever those transactions do later.
      if (report.object_changed) continue;
    }
    Pin pin{true, std::move(data_version)};
    pins_[object] = pin;
    return pin;
  }
  return Unsettled(object);
}

absl::Status ObjectReader::CheckPinned(const std::string& object,
                                       const Pin& pin, int rc,
                                       const OmapMap& xattrs, bool* absent) {
  *absent = false;
  if (rc == -ENOENT && !pin.exists) {
    *absent = true;
    return absl::OkStatus();
  }
  if (rc < 0 && rc != -ENOENT) {
    return FromRados(rc, absl::StrCat("read ", object));
  }
  if (rc == -ENOENT || !pin.exists ||
      DataVersionOf(xattrs) != pin.data_version) {
    return absl::AbortedError(absl::StrCat(
        "rados: ", object, " changed after the snapshot read it; read again"));
  }
  return absl::OkStatus();
}

absl::Status ObjectReader::ReadKeys(const std::string& object,
                                    const std::set<std::string>& keys,
                                    bool want_markers, Keys* out) {
  *out = Keys();
  if (pinned_) {
    MR_ASSIGN_OR_RETURN(Pin pin, PinOf(object));
    librados::ObjectReadOperation op;
    OmapMap data, xattrs;
    op.getxattrs(&xattrs, nullptr);
    op.omap_get_vals_by_keys(keys, &data, nullptr);
    RadosIo::Result r = io_->Read(object, &op);
    bool absent = false;
    MR_RETURN_IF_ERROR(CheckPinned(object, pin, r.rc, xattrs, &absent));
    if (!absent) out->values = ToStrings(data);
    return absl::OkStatus();
  }
  std::set<std::string> lock_keys;
  for (const std::string& key : keys) lock_keys.insert(LockKey(key));
  for (int round = 0; round < kMaxRounds; ++round) {
    librados::ObjectReadOperation op;
    OmapMap data, locks, markers;
    bool more = false;
    op.omap_get_vals_by_keys(keys, &data, nullptr);
    op.omap_get_vals_by_keys(lock_keys, &locks, nullptr);
    if (want_markers) {
      op.omap_get_vals2("", std::string(1, kMarkerPrefix), kPageSize, &markers,
                        &more, nullptr);
    }
    RadosIo::Result r = io_->Read(object, &op);
    if (r.rc == -ENOENT) return absl::OkStatus();
    if (r.rc < 0) return FromRados(r.rc, absl::StrCat("read ", object));
    if (!locks.empty()) {
      MR_ASSIGN_OR_RETURN(Resolver::LockReport report,
                          resolver_->ResolveLocks(object, ToStrings(locks)));
      if (report.reread) continue;
      out->alive_locked = std::move(report.alive);
    }
    out->values = ToStrings(data);
    for (const auto& [key, value] : markers) out->markers.insert(key);
    return absl::OkStatus();
  }
  return Unsettled(object);
}

absl::Status ObjectReader::ReadPage(const std::string& object,
                                    const PageRequest& request, Page* out) {
  *out = Page();
  std::string start = request.start;
  bool after = request.after;
  if (start < request.prefix) {
    start = request.prefix;
    after = false;
  }
  std::optional<Pin> pin;
  if (pinned_) {
    MR_ASSIGN_OR_RETURN(Pin p, PinOf(object));
    pin = p;
  }
  for (int round = 0; round < kMaxRounds; ++round) {
    librados::ObjectReadOperation op;
    OmapMap data_exact, data, lock_exact, locks, xattrs;
    bool data_more = false, locks_more = false;
    if (pin.has_value()) op.getxattrs(&xattrs, nullptr);
    // omap listings start after a key; an inclusive start is read by key.
    if (!after) op.omap_get_vals_by_keys({start}, &data_exact, nullptr);
    op.omap_get_vals2(start, request.prefix, kPageSize, &data, &data_more,
                      nullptr);
    if (!pinned_) {
      if (!after) {
        op.omap_get_vals_by_keys({LockKey(start)}, &lock_exact, nullptr);
      }
      op.omap_get_vals2(LockKey(start), LockKey(request.prefix), kPageSize,
                        &locks, &locks_more, nullptr);
    }
    RadosIo::Result r = io_->Read(object, &op);
    if (pin.has_value()) {
      bool absent = false;
      MR_RETURN_IF_ERROR(CheckPinned(object, *pin, r.rc, xattrs, &absent));
      if (absent) {
        out->done = true;
        return absl::OkStatus();
      }
    } else if (r.rc == -ENOENT) {
      out->done = true;
      return absl::OkStatus();
    } else if (r.rc < 0) {
      return FromRados(r.rc, absl::StrCat("read ", object));
    }
    // The page covers keys up to the last one of a truncated listing.
    std::optional<std::string> last;
    if (data_more && !data.empty()) last = data.rbegin()->first;
    if (locks_more && !locks.empty()) {
      std::string lock_last = locks.rbegin()->first.substr(1);
      if (!last.has_value() || lock_last < *last) last = std::move(lock_last);
    }
    data.merge(data_exact);
    locks.merge(lock_exact);
    auto in_page = [&](const std::string& key) {
      return (!last.has_value() || key <= *last) &&
             (request.end.empty() || key < request.end);
    };
    std::map<std::string, std::string> page_locks;
    for (auto& [lock_key, value] : locks) {
      if (in_page(lock_key.substr(1))) page_locks[lock_key] = value.to_str();
    }
    if (!page_locks.empty()) {
      MR_ASSIGN_OR_RETURN(Resolver::LockReport report,
                          resolver_->ResolveLocks(object, page_locks));
      if (report.reread) continue;
    }
    for (auto& [key, value] : data) {
      if (in_page(key)) out->rows.emplace_back(key, value.to_str());
    }
    out->done =
        !last.has_value() || (!request.end.empty() && *last >= request.end);
    if (!out->done) out->last = *last;
    return absl::OkStatus();
  }
  return Unsettled(object);
}

}  // namespace mailroom::store::rados
