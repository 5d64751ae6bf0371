// Reads a snapshot's messages in order with several reads in flight: on
// RADOS each read is a network round trip, and export would otherwise wait
// for them one at a time.
//
// Thread-safety: not thread-safe (it runs its own reader threads inside
// Next()).
#ifndef MAILROOM_SERVER_ADMIN_MESSAGE_PREFETCHER_H_
#define MAILROOM_SERVER_ADMIN_MESSAGE_PREFETCHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/store.h"

namespace mailroom::server::admin {

class MessagePrefetcher {
 public:
  // REQUIRES: `store` and `messages` outlive the prefetcher.
  MessagePrefetcher(store::Store& store, store::Principal who,
                    store::MailboxId mailbox,
                    const std::vector<store::MessageMeta>& messages)
      : store_(store), who_(std::move(who)), mailbox_(mailbox),
        messages_(messages) {}

  // The bytes of the next message of `messages`, in order (kNotFound when
  // it was expunged since the snapshot). REQUIRES: fewer calls than
  // messages.
  absl::StatusOr<std::shared_ptr<const std::string>> Next();

 private:
  // Reads the next chunk: up to kChunkMessages messages and kChunkBytes
  // (at least one message), kReaders at a time.
  void LoadChunk();

  static constexpr size_t kReaders = 8;
  static constexpr size_t kChunkMessages = 64;
  static constexpr uint64_t kChunkBytes = 32 << 20;

  store::Store& store_;
  const store::Principal who_;
  const store::MailboxId mailbox_;
  const std::vector<store::MessageMeta>& messages_;
  size_t loaded_ = 0;  // messages read into chunks so far
  std::vector<absl::StatusOr<std::shared_ptr<const std::string>>> chunk_;
  size_t next_in_chunk_ = 0;
};

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_MESSAGE_PREFETCHER_H_
