// A transaction of the RADOS engine: reads go to RADOS at once (seeing the
// transaction's own buffered writes on top), writes are buffered, and
// GetForUpdate remembers the stored value it read as a guard. Commit turns
// the buffer into a CommitPlan (one Participant per object, directory rows
// for partitions written for the first time, body data and removals) and
// hands it to the Committer (commit.h).
//
// Thread-safety: used by one thread at a time (engine.h).
#ifndef MAILROOM_STORE_RADOS_TRANSACTION_H_
#define MAILROOM_STORE_RADOS_TRANSACTION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/engine/engine.h"
#include "store/rados/core.h"
#include "store/rados/object_reader.h"
#include "store/rados/reads.h"

namespace mailroom::store::rados {

class RadosTransaction : public engine::Transaction {
 public:
  explicit RadosTransaction(EngineCore* core);
  ~RadosTransaction() override;

  absl::StatusOr<std::optional<std::string>> Get(engine::Space space,
                                                 std::string_view key) override;
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      engine::Space space, const std::vector<std::string>& keys) override;
  absl::Status Scan(engine::Space space, std::string_view begin,
                    std::string_view end, const engine::ScanFn& fn) override;
  absl::StatusOr<std::optional<std::string>> GetForUpdate(
      engine::Space space, std::string_view key) override;
  absl::Status Put(engine::Space space, std::string_view key,
                   std::string_view value) override;
  absl::Status Delete(engine::Space space, std::string_view key) override;
  void SetSavePoint() override;
  absl::Status RollbackToSavePoint() override;
  absl::Status PopSavePoint() override;
  absl::Status Commit() override;

 private:
  using SpaceKey = std::pair<engine::Space, std::string>;

  absl::Status CheckOpen() const;
  absl::StatusOr<CommitPlan> BuildPlan();
  // Records what `key` had in the buffer before its first change since the
  // latest save point.
  void RememberForUndo(const SpaceKey& key);

  EngineCore* const core_;
  ObjectReader& reader_;  // the core's latest-mode reader
  const uint64_t id_;     // also the stamp of every row it writes
  // For deadlocks among this node's transactions (LocalLocks): when it
  // began, or when the attempt it retries began.
  const int64_t age_;
  bool finished_ = false;
  bool committed_ = false;
  std::map<SpaceKey, std::optional<std::string>> writes_;
  // The stored value (stamp included, "" when absent) each GetForUpdate key
  // had when first read. Save points do not undo these: locks stay taken.
  std::map<SpaceKey, std::string> guards_;
  // Save points, innermost last: per key changed since, its earlier buffer
  // entry (outer std::nullopt: it had none). An undo log rather than copies
  // of the buffer, which may hold message bodies.
  using BufferEntry = std::optional<std::optional<std::string>>;
  std::vector<std::map<SpaceKey, BufferEntry>> save_points_;
  MarkerCache markers_;
};

}  // namespace mailroom::store::rados

#endif  // MAILROOM_STORE_RADOS_TRANSACTION_H_
