#include "store/rados/transaction.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "store/rados/layout.h"
#include "store/rados/rados_status.h"
#include "store/rados/scan.h"

namespace mailroom::store::rados {

using engine::Space;

namespace {

uint64_t NewTxnId() {
  thread_local absl::BitGen gen;
  return absl::Uniform<uint64_t>(gen) | 1;  // never 0 (StampOf's "none")
}

// A transaction that ends without committing is usually retried at once by
// the same thread (the store's RunTxn). The retry keeps its age, as a
// restart does in wound-wait, so that it is not forever the youngest and
// chosen as the deadlock victim on every attempt. Only a hint for choosing
// victims; correctness never depends on it.
struct InheritedAge {
  int64_t age = 0;
  absl::Time until;
};
thread_local InheritedAge inherited_age;
constexpr absl::Duration kRetryWindow = absl::Seconds(5);

int64_t AgeOfNewTransaction() {
  const absl::Time now = absl::Now();
  int64_t age = absl::ToUnixNanos(now);
  if (inherited_age.age != 0 && now < inherited_age.until) {
    age = inherited_age.age;
  }
  inherited_age.age = 0;
  return age;
}

}  // namespace

RadosTransaction::RadosTransaction(EngineCore* core)
    : core_(core),
      reader_(core->latest_reader),
      id_(NewTxnId()),
      age_(AgeOfNewTransaction()) {}

RadosTransaction::~RadosTransaction() {
  core_->local_locks.UnlockAll(id_);
  if (!committed_) inherited_age = {age_, absl::Now() + kRetryWindow};
}

absl::Status RadosTransaction::CheckOpen() const {
  if (finished_) {
    return absl::FailedPreconditionError(
        "transaction already committed or failed");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> RadosTransaction::Get(
    Space space, std::string_view key) {
  MR_RETURN_IF_ERROR(CheckOpen());
  if (auto it = writes_.find(SpaceKey(space, key)); it != writes_.end()) {
    return it->second;
  }
  return GetRow(reader_, core_->blobs, space, key, &markers_);
}

absl::StatusOr<std::vector<std::optional<std::string>>>
RadosTransaction::MultiGet(Space space, const std::vector<std::string>& keys) {
  MR_RETURN_IF_ERROR(CheckOpen());
  std::vector<std::string> unbuffered;
  for (const std::string& key : keys) {
    if (!writes_.contains(SpaceKey(space, key))) unbuffered.push_back(key);
  }
  MR_ASSIGN_OR_RETURN(
      std::vector<std::optional<std::string>> stored,
      GetRows(reader_, core_->blobs, space, unbuffered, &markers_));
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  size_t next = 0;
  for (const std::string& key : keys) {
    if (auto it = writes_.find(SpaceKey(space, key)); it != writes_.end()) {
      out.push_back(it->second);
    } else {
      out.push_back(std::move(stored[next++]));
    }
  }
  return out;
}

absl::Status RadosTransaction::Scan(Space space, std::string_view begin,
                                    std::string_view end,
                                    const engine::ScanFn& fn) {
  MR_RETURN_IF_ERROR(CheckOpen());
  // Merge the buffered writes of [begin, end) into the stored rows.
  auto it = writes_.lower_bound(SpaceKey(space, std::string(begin)));
  auto stop = end.empty()
                  ? writes_.lower_bound(SpaceKey(
                        static_cast<Space>(static_cast<int>(space) + 1), ""))
                  : writes_.lower_bound(SpaceKey(space, std::string(end)));
  bool stopped = false;
  // Emits the buffered puts before `key`; false when fn asked to stop.
  auto drain_before = [&](std::string_view key) {
    for (; it != stop && it->first.second < key; ++it) {
      if (it->second.has_value() && !fn(it->first.second, *it->second)) {
        ++it;
        return false;
      }
    }
    return true;
  };
  MR_RETURN_IF_ERROR(ScanSpace(
      reader_, core_->blobs, space, begin, end,
      [&](std::string_view key, std::string_view value) {
        if (!drain_before(key)) {
          stopped = true;
          return false;
        }
        bool keep_going;
        if (it != stop && it->first.second == key) {
          // Buffered: overrides the stored row (or hides it).
          keep_going = !it->second.has_value() || fn(key, *it->second);
          ++it;
        } else {
          keep_going = fn(key, value);
        }
        stopped = !keep_going;
        return keep_going;
      }));
  if (stopped) return absl::OkStatus();
  for (; it != stop; ++it) {
    if (it->second.has_value() && !fn(it->first.second, *it->second)) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> RadosTransaction::GetForUpdate(
    Space space, std::string_view key) {
  MR_RETURN_IF_ERROR(CheckOpen());
  MR_ASSIGN_OR_RETURN(Placement place, Place(space, key));
  const bool partitioned = !place.marker.empty();
  // Transactions of this node that lock the row go one after the other.
  std::string row = place.object;
  row.push_back('\0');
  row.append(place.omap_key);
  MR_RETURN_IF_ERROR(core_->local_locks.Lock(id_, age_, row, core_->lock_wait));
  // A live transaction's RADOS lock on the row means our commit would
  // fail: wait a little for it to finish instead.
  const absl::Time deadline = absl::Now() + core_->lock_wait;
  absl::Duration pause = absl::Milliseconds(1);
  ObjectReader::Keys found;
  while (true) {
    MR_RETURN_IF_ERROR(
        reader_.ReadKeys(place.object, {place.omap_key}, partitioned, &found));
    if (partitioned) markers_[place.object] = found.markers;
    if (!found.alive_locked.contains(place.omap_key)) break;
    if (absl::Now() >= deadline) {
      return absl::AbortedError(absl::StrCat(
          "rados: a row of ", place.object,
          " stays locked by another transaction; run this one again"));
    }
    std::this_thread::sleep_for(absl::ToChronoMicroseconds(pause));
    pause = std::min(pause * 2, absl::Milliseconds(32));
  }
  auto stored = found.values.find(place.omap_key);
  const std::string stored_value =
      stored == found.values.end() ? std::string() : stored->second;
  // The first read is the one the transaction's logic depends on.
  guards_.emplace(SpaceKey(space, key), stored_value);
  if (auto it = writes_.find(SpaceKey(space, key)); it != writes_.end()) {
    return it->second;
  }
  if (stored == found.values.end()) return std::optional<std::string>();
  if (space == Space::kBlobs) {
    return core_->blobs.Read(reader_, key, 0, std::nullopt);
  }
  return std::optional<std::string>(std::string(PayloadOf(stored_value)));
}

absl::Status RadosTransaction::Put(Space space, std::string_view key,
                                   std::string_view value) {
  MR_RETURN_IF_ERROR(CheckOpen());
  MR_RETURN_IF_ERROR(Place(space, key).status());
  if (space == Space::kBlobs && value.size() > BlobStore::kMaxBodySize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rados: a body of ", value.size(),
        " bytes exceeds the largest object (", BlobStore::kMaxBodySize, ")"));
  }
  RememberForUndo(SpaceKey(space, key));
  writes_[SpaceKey(space, key)] = std::string(value);
  return absl::OkStatus();
}

absl::Status RadosTransaction::Delete(Space space, std::string_view key) {
  MR_RETURN_IF_ERROR(CheckOpen());
  MR_RETURN_IF_ERROR(Place(space, key).status());
  RememberForUndo(SpaceKey(space, key));
  writes_[SpaceKey(space, key)] = std::nullopt;
  return absl::OkStatus();
}

void RadosTransaction::RememberForUndo(const SpaceKey& key) {
  if (save_points_.empty() || save_points_.back().contains(key)) return;
  auto it = writes_.find(key);
  save_points_.back().emplace(
      key, it == writes_.end() ? BufferEntry() : BufferEntry(it->second));
}

void RadosTransaction::SetSavePoint() { save_points_.emplace_back(); }

absl::Status RadosTransaction::RollbackToSavePoint() {
  MR_RETURN_IF_ERROR(CheckOpen());
  if (save_points_.empty()) return absl::NotFoundError("no save point");
  for (auto& [key, before] : save_points_.back()) {
    if (before.has_value()) {
      writes_[key] = *std::move(before);
    } else {
      writes_.erase(key);
    }
  }
  save_points_.pop_back();
  return absl::OkStatus();
}

absl::Status RadosTransaction::PopSavePoint() {
  MR_RETURN_IF_ERROR(CheckOpen());
  if (save_points_.empty()) return absl::NotFoundError("no save point");
  std::map<SpaceKey, BufferEntry> undo = std::move(save_points_.back());
  save_points_.pop_back();
  // The enclosing save point must still undo these changes; where it
  // already knows an older entry, that one wins.
  if (!save_points_.empty()) save_points_.back().merge(undo);
  return absl::OkStatus();
}

absl::StatusOr<CommitPlan> RadosTransaction::BuildPlan() {
  CommitPlan plan;
  plan.txn = id_;
  std::map<std::string, std::map<std::string, Row>> rows;  // object -> rows
  std::vector<Placement> registrations;
  std::vector<std::pair<Placement, std::string>> body_deletes;  // + hash
  for (const auto& [space_key, value] : writes_) {
    const auto& [space, key] = space_key;
    MR_ASSIGN_OR_RETURN(Placement place, Place(space, key));
    Row& row = rows[place.object][place.omap_key];
    row.key = place.omap_key;
    if (value.has_value()) {
      row.write = Row::Write::kPut;
      if (space == Space::kBlobs) {
        // The row only marks presence; the stamp is the data's gen.
        row.value = Stamp(id_, "");
        plan.blob_puts.push_back({BlobDataObject(key), *value});
      } else {
        row.value = Stamp(id_, *value);
      }
      if (!place.marker.empty()) registrations.push_back(std::move(place));
    } else {
      row.write = Row::Write::kDelete;
      if (space == Space::kBlobs) body_deletes.emplace_back(place, key);
    }
  }
  for (const auto& [space_key, stored] : guards_) {
    MR_ASSIGN_OR_RETURN(Placement place,
                        Place(space_key.first, space_key.second));
    Row& row = rows[place.object][place.omap_key];
    row.key = place.omap_key;
    row.guard = stored;
  }

  // One parallel read for what the transaction has not seen: the markers
  // of partitions it writes to, the presence rows of bodies it deletes.
  std::map<std::string, std::map<std::string, librados::bufferlist>>
      marker_rows;
  std::map<std::string, bool> marker_more;  // outputs must outlive the batch
  std::vector<std::map<std::string, librados::bufferlist>> presence(
      body_deletes.size());
  {
    RadosIo::Batch batch(core_->io.get());
    std::vector<std::string> objects;
    for (const Placement& place : registrations) {
      if (markers_.contains(place.object) ||
          marker_rows.contains(place.object)) {
        continue;
      }
      auto op = std::make_unique<librados::ObjectReadOperation>();
      op->omap_get_vals2("", std::string(1, kMarkerPrefix),
                         ObjectReader::kPageSize, &marker_rows[place.object],
                         &marker_more[place.object], nullptr);
      batch.Read(place.object, std::move(op));
      objects.push_back(place.object);
    }
    for (size_t i = 0; i < body_deletes.size(); ++i) {
      const Placement& place = body_deletes[i].first;
      auto op = std::make_unique<librados::ObjectReadOperation>();
      op->omap_get_vals_by_keys({place.omap_key}, &presence[i], nullptr);
      batch.Read(place.object, std::move(op));
    }
    std::vector<RadosIo::Result> results = batch.Wait();
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].rc < 0 && results[i].rc != -ENOENT) {
        return FromRados(results[i].rc, "read before commit");
      }
    }
    for (const std::string& object : objects) {
      std::set<std::string>& seen = markers_[object];
      for (const auto& [marker, value] : marker_rows[object]) {
        seen.insert(marker);
      }
    }
  }
  for (const Placement& place : registrations) {
    if (markers_[place.object].contains(place.marker)) continue;
    // First row of this space in this partition: list it in the directory
    // in the same commit, so a scan over many partitions finds it.
    for (const auto& [object, key] :
         {std::pair(place.object, place.marker),
          std::pair(place.dir_object, place.dir_row)}) {
      Row& row = rows[object][key];
      row.key = key;
      row.write = Row::Write::kPut;
      row.value = Stamp(id_, "");
    }
  }
  for (size_t i = 0; i < body_deletes.size(); ++i) {
    const auto& [place, hash] = body_deletes[i];
    Row& row = rows[place.object][place.omap_key];
    if (!row.guard.has_value()) {
      auto it = presence[i].find(place.omap_key);
      row.guard = it == presence[i].end() ? std::string() : it->second.to_str();
    }
    // Remove the data only if it is still of the generation this commit
    // removes the presence row of.
    if (!row.guard->empty()) {
      plan.blob_removals.push_back({BlobDataObject(hash), StampOf(*row.guard)});
    }
  }

  for (auto& [object, object_rows] : rows) {
    Participant p;
    p.object = object;
    for (auto& [key, row] : object_rows) p.rows.push_back(std::move(row));
    plan.participants.push_back(std::move(p));
  }
  return plan;
}

absl::Status RadosTransaction::Commit() {
  MR_RETURN_IF_ERROR(CheckOpen());
  finished_ = true;
  // Nothing written: nothing to make atomic, and no reader could tell
  // whether a guard held.
  absl::Status status;
  if (!writes_.empty()) {
    absl::StatusOr<CommitPlan> plan = BuildPlan();
    status = plan.ok() ? core_->committer.Commit(*plan) : plan.status();
  }
  // Applied (or not at all): the next transaction of this node may read.
  core_->local_locks.UnlockAll(id_);
  committed_ = status.ok();
  return status;
}

}  // namespace mailroom::store::rados
