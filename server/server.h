// The daemon's network side: listeners (TCP, implicit TLS, UNIX), one
// coroutine session per connection on a small io_context thread pool, a
// worker pool for blocking store calls, per-IP connection limits, the admin
// socket, SIGHUP (TLS reload) and SIGTERM (graceful stop).
#ifndef MAILROOM_SERVER_SERVER_H_
#define MAILROOM_SERVER_SERVER_H_

#include <sys/types.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "protocols/api/plugin.h"
#include "server/admin/admin_output.h"
#include "server/connection.h"
#include "server/log.h"
#include "server/tls_context.h"
#include "store/store.h"

namespace mailroom::server {

struct ListenerConfig {
  std::string plugin;   // plugin name ("imap")
  std::string address;  // IP address to bind (TCP)
  uint16_t port = 0;    // 0 with an address: pick an ephemeral port
  bool implicit_tls = false;
  std::string unix_path;  // set: a UNIX socket instead of TCP
  mode_t unix_mode = 0600;  // the socket's permissions
  // A bind that fails because the address does not exist on this host
  // (e.g. ::1 without IPv6) is logged and the listener left out.
  bool skip_if_unavailable = false;
};

// Runs one admin command on the daemon's store (called on a worker thread),
// writing to `output` as it goes; returns the exit code.
using AdminHandler = std::function<int(const std::vector<std::string>& args,
                                       admin::AdminOutput& output)>;

struct ServerOptions {
  std::vector<ListenerConfig> listeners;
  plugin::Config config;
  size_t max_connections_per_ip = 0;  // 0: unlimited
  int io_threads = 2;
  int worker_threads = 4;
  // After SIGTERM: how long in-flight commands may take before the
  // remaining connections are closed.
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(4);
  std::string admin_socket_path;  // empty: no admin socket
  // COMPRESS=DEFLATE settings (compress_level and the like).
  DeflateSettings compression;
};

// Thread-safe: Shutdown() may be called from any thread; the rest from the
// thread that owns the server.
class Server final : public admin::SessionDirectory {
 public:
  // Borrowed pointers must outlive the server. `tls` may be null (no TLS
  // listeners, no STARTTLS). `plugins` maps names to loaded descriptors.
  Server(ServerOptions options,
         std::map<std::string, const plugin::PluginDescriptor*> plugins,
         store::Store* store, plugin::Authenticator* auth,
         TlsContextProvider* tls, Logger* logger, AdminHandler admin);
  ~Server();

  // Binds every listener and starts the threads. Fails with a message that
  // names the listener when a plugin is missing or a bind fails.
  absl::Status Start();
  // Blocks until a shutdown (SIGTERM, SIGINT or Shutdown()) has finished.
  // Returns false when sessions had to be cut off after the grace period.
  bool Wait();
  void Shutdown();

  // The port each listener got (same order as options.listeners; 0 for a
  // UNIX socket or a listener skipped as unavailable).
  std::vector<uint16_t> bound_ports() const { return bound_ports_; }
  size_t session_count() const;

  // admin::SessionDirectory (who, kick). Any thread.
  std::vector<admin::SessionInfo> List() override;
  // Each session of `user` is told to end (as at shutdown: an IMAP session
  // says BYE) and is cut off if it has not ended after a short grace.
  size_t Kick(std::string_view user) override;
  // Records that session `id` authenticated as `user` (canonical name); an
  // empty `user`: the session is logged out again (IMAP UNAUTHENTICATE).
  void NoteLogin(uint64_t id, std::string_view user);

 private:
  struct Listener;

  asio::awaitable<void> AcceptTcp(Listener* listener);
  asio::awaitable<void> AcceptUnix(Listener* listener);
  asio::awaitable<void> AcceptAdmin();
  asio::awaitable<void> ServeAdmin(asio::local::stream_protocol::socket s);
  // The loop the next session runs on (round robin).
  asio::io_context& NextSessionLoop();
  void StartSession(Socket socket, asio::io_context& loop, std::string peer,
                    Listener* listener);
  plugin::Task<void> RunSession(std::shared_ptr<AsioConnection> conn,
                                const plugin::PluginDescriptor* descriptor,
                                bool implicit_tls, std::string ip);
  void EndSession(uint64_t id, const std::string& ip);
  void BeginShutdown();
  void WaitForSignals();
  bool NoSessions() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return sessions_.empty();
  }

  const ServerOptions options_;
  const std::map<std::string, const plugin::PluginDescriptor*> plugins_;
  store::Store* const store_;
  plugin::Authenticator* const auth_;
  TlsContextProvider* const tls_;
  Logger* const logger_;
  const AdminHandler admin_;

  // io_ runs on one thread: listeners, the admin socket, signals, and the
  // sessions of the first network thread. Each further network thread runs
  // an io_context of its own (extra_loops_). A session stays on the loop it
  // was accepted onto, so its socket events, timers and resumptions never
  // pass between threads (a hand-off per command otherwise).
  std::vector<std::unique_ptr<asio::io_context>> extra_loops_;
  asio::io_context io_{1};
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>>
      loop_work_;
  std::atomic<size_t> next_loop_{0};
  asio::thread_pool workers_;
  asio::signal_set signals_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unique_ptr<asio::local::stream_protocol::acceptor> admin_acceptor_;
  std::vector<uint16_t> bound_ports_;
  std::vector<std::thread> threads_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<uint64_t> next_session_id_{1};
  ConnectionEnv env_;

  mutable absl::Mutex mu_;
  bool shutdown_requested_ ABSL_GUARDED_BY(mu_) = false;
  std::unordered_map<uint64_t, std::weak_ptr<AsioConnection>> sessions_
      ABSL_GUARDED_BY(mu_);
  // Who each session is, for who/kick; same keys as sessions_.
  std::unordered_map<uint64_t, admin::SessionInfo> session_info_
      ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, size_t> per_ip_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_SERVER_H_
