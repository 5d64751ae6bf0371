#include "server/admin/message_prefetcher.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace mailroom::server::admin {

void MessagePrefetcher::LoadChunk() {
  const size_t begin = loaded_;
  size_t end = begin;
  uint64_t bytes = 0;
  while (end < messages_.size() && end - begin < kChunkMessages &&
         (end == begin || bytes + messages_[end].size <= kChunkBytes)) {
    bytes += messages_[end].size;
    ++end;
  }
  chunk_.assign(end - begin, absl::UnknownError("not read"));
  std::atomic<size_t> next{begin};
  auto read = [&] {
    for (size_t i = next++; i < end; i = next++) {
      chunk_[i - begin] =
          store_.ReadMessage(who_, mailbox_, messages_[i].uid);
    }
  };
  const size_t threads = std::min(kReaders, end - begin);
  std::vector<std::thread> readers;
  for (size_t t = 1; t < threads; ++t) readers.emplace_back(read);
  read();
  for (std::thread& reader : readers) reader.join();
  loaded_ = end;
  next_in_chunk_ = 0;
}

absl::StatusOr<std::shared_ptr<const std::string>> MessagePrefetcher::Next() {
  if (next_in_chunk_ == chunk_.size()) LoadChunk();
  return std::move(chunk_[next_in_chunk_++]);
}

}  // namespace mailroom::server::admin
