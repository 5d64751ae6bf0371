#include "protocols/pop3/testing/fake_connection.h"

#include <algorithm>
#include <utility>

namespace mailroom::testing {

absl::Status FakeConnection::EndOfInput() const {
  return absl::Status(end_code_, "end of scripted input");
}

plugin::Task<absl::StatusOr<std::string>> FakeConnection::ReadLine(
    size_t max_bytes, std::chrono::milliseconds timeout) {
  last_timeout_ = timeout;
  size_t nl = input_.find('\n', read_pos_);
  if (nl == std::string::npos) {
    read_pos_ = input_.size();
    co_return EndOfInput();
  }
  std::string line = input_.substr(read_pos_, nl - read_pos_);
  read_pos_ = nl + 1;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > max_bytes) {
    co_return absl::ResourceExhaustedError("line too long");
  }
  if (line_hook_) line_hook_(line);
  co_return line;
}

plugin::Task<absl::StatusOr<std::string>> FakeConnection::ReadExactly(
    size_t n, std::chrono::milliseconds timeout) {
  last_timeout_ = timeout;
  if (input_.size() - read_pos_ < n) {
    read_pos_ = input_.size();
    co_return EndOfInput();
  }
  std::string bytes = input_.substr(read_pos_, n);
  read_pos_ += n;
  co_return bytes;
}

plugin::Task<absl::Status> FakeConnection::Flush() {
  output_.append(pending_);
  pending_.clear();
  co_return absl::OkStatus();
}

plugin::Task<absl::Status> FakeConnection::StartTls() {
  if (tls_active_ || !tls_available_) {
    co_return absl::FailedPreconditionError("TLS not possible");
  }
  tls_active_ = true;
  ++tls_starts_;
  co_return absl::OkStatus();
}

plugin::Task<plugin::Connection::WaitResult> FakeConnection::WaitForInput(
    std::chrono::milliseconds timeout) {
  co_return read_pos_ < input_.size() ? WaitResult::kInput
                                      : WaitResult::kClosed;
}

plugin::Task<void> FakeConnection::RunBlocking(std::function<void()> fn) {
  fn();
  co_return;
}

plugin::Task<void> FakeConnection::Sleep(std::chrono::milliseconds duration) {
  co_return;
}

}  // namespace mailroom::testing
