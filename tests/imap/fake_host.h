// A scripted host for IMAP session tests: a Connection fed from a string
// that records what the session writes, and an Authenticator that checks
// passwords against the store. Everything runs synchronously on the test
// thread, so a session runs to its end inside plugin::Spawn().
//
// Thread-safety: not thread-safe, except FakeConnection::Wake().
#ifndef MAILROOM_TESTS_IMAP_FAKE_HOST_H_
#define MAILROOM_TESTS_IMAP_FAKE_HOST_H_

#include <atomic>
#include <string>
#include <vector>

#include "protocols/api/plugin.h"

namespace mailroom::imap::testing {

class FakeConnection : public plugin::Connection {
 public:
  void AddInput(std::string_view bytes) { input_.append(bytes); }
  const std::string& output() const { return output_; }
  // The bytes each Flush() that had output sent, in order.
  const std::vector<size_t>& flushes() const { return flushes_; }
  void set_tls_available(bool v) { tls_available_ = v; }
  void set_tls_active(bool v) { tls_active_ = v; }
  // Called once when the session waits in IDLE with no input left.
  std::function<void()> on_idle_wait;
  // Called before every ReadLine with the number of lines read so far, so a
  // test can change the store between two commands.
  std::function<void(int)> before_read_line;

  plugin::Task<absl::StatusOr<std::string>> ReadLine(
      size_t max_bytes, std::chrono::milliseconds timeout) override;
  plugin::Task<absl::StatusOr<std::string>> ReadExactly(
      size_t n, std::chrono::milliseconds timeout) override;
  void Write(std::string_view bytes) override { pending_.append(bytes); }
  size_t buffered_output() const override { return pending_.size(); }
  plugin::Task<absl::Status> Flush() override;
  plugin::Task<absl::Status> StartTls() override;
  bool tls_active() const override { return tls_active_; }
  bool tls_available() const override { return tls_available_; }
  plugin::Task<WaitResult> WaitForInput(
      std::chrono::milliseconds timeout) override;
  void Wake() override { woken_ = true; }
  plugin::Task<void> RunBlocking(std::function<void()> fn) override;
  plugin::Task<void> Sleep(std::chrono::milliseconds duration) override;
  bool shutting_down() const override { return false; }
  uint64_t id() const override { return 1; }
  std::string peer_address() const override { return "127.0.0.1:1"; }
  void Log(std::string_view message) override {}

 private:
  std::string input_;
  size_t read_pos_ = 0;
  int lines_read_ = 0;
  std::string pending_;
  std::string output_;
  std::vector<size_t> flushes_;
  bool tls_available_ = false;
  bool tls_active_ = false;
  std::atomic<bool> woken_{false};
};

class FakeAuthenticator : public plugin::Authenticator {
 public:
  explicit FakeAuthenticator(store::Store* store) : store_(store) {}
  void set_plaintext_allowed(bool v) { plaintext_allowed_ = v; }
  // Users whose principal may set quotas, as the host's quota_admins.
  void set_quota_admins(std::vector<std::string> users) {
    quota_admins_ = std::move(users);
  }

  std::vector<std::string> Mechanisms(
      const plugin::Connection& conn) const override {
    return {"PLAIN"};
  }
  bool PlaintextAllowed(const plugin::Connection& conn) const override {
    return plaintext_allowed_;
  }
  std::unique_ptr<plugin::SaslExchange> Start(std::string_view mechanism,
                                              plugin::Connection& conn) override;
  plugin::Task<absl::StatusOr<store::Principal>> CheckPassword(
      std::string_view user, std::string_view password,
      plugin::Connection& conn) override;

 private:
  store::Store* store_;
  bool plaintext_allowed_ = true;
  std::vector<std::string> quota_admins_;
};

}  // namespace mailroom::imap::testing

#endif  // MAILROOM_TESTS_IMAP_FAKE_HOST_H_
