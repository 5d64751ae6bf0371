#include "server/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "store/principal_issuer.h"

namespace mailroom::server {
namespace {

// How long a kicked session has to say goodbye before its socket is closed.
constexpr std::chrono::milliseconds kKickGrace(2000);

}  // namespace

struct Server::Listener {
  ListenerConfig config;
  uint16_t port = 0;
  const plugin::PluginDescriptor* descriptor = nullptr;
  std::unique_ptr<asio::ip::tcp::acceptor> tcp;
  std::unique_ptr<asio::local::stream_protocol::acceptor> unix_socket;
};

Server::Server(ServerOptions options,
               std::map<std::string, const plugin::PluginDescriptor*> plugins,
               store::Store* store, plugin::Authenticator* auth,
               TlsContextProvider* tls, Logger* logger, AdminHandler admin)
    : options_(std::move(options)),
      plugins_(std::move(plugins)),
      store_(store),
      auth_(auth),
      tls_(tls),
      logger_(logger),
      admin_(std::move(admin)),
      workers_(static_cast<size_t>(std::max(1, options_.worker_threads))),
      signals_(io_, SIGTERM, SIGINT, SIGHUP) {
  env_.workers = &workers_;
  env_.shutting_down = &shutting_down_;
  if (tls_ != nullptr) {
    env_.tls_context = [tls = tls_] { return tls->Current(); };
  }
  env_.logger = logger_;
  env_.handshake_timeout = options_.config.unauthenticated_timeout;
  env_.compression = options_.compression;
  for (int i = 1; i < std::max(1, options_.io_threads); ++i) {
    extra_loops_.push_back(std::make_unique<asio::io_context>(1));
    loop_work_.push_back(asio::make_work_guard(*extra_loops_.back()));
  }
}

Server::~Server() {
  if (!threads_.empty()) {
    Shutdown();
    Wait();
  }
  if (!options_.admin_socket_path.empty() && admin_acceptor_ != nullptr) {
    unlink(options_.admin_socket_path.c_str());
  }
}

absl::Status Server::Start() {
  for (const ListenerConfig& config : options_.listeners) {
    auto listener = std::make_unique<Listener>();
    listener->config = config;
    auto it = plugins_.find(config.plugin);
    const std::string where =
        config.unix_path.empty()
            ? absl::StrCat(config.address, ":", config.port)
            : config.unix_path;
    if (it == plugins_.end()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "listener ", where, " needs the plugin '", config.plugin,
          "', which was not found in the plugin directories (turn the "
          "listener off with port 0, or set --plugin_dir)"));
    }
    if (config.implicit_tls && tls_ == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("listener ", where, " needs TLS, which is not set up"));
    }
    listener->descriptor = it->second;
    asio::error_code ec;
    if (!config.unix_path.empty()) {
      unlink(config.unix_path.c_str());
      auto acceptor = std::make_unique<asio::local::stream_protocol::acceptor>(io_);
      asio::local::stream_protocol::endpoint endpoint(config.unix_path);
      acceptor->open(endpoint.protocol(), ec);
      // Nobody may connect before the mode below is in place.
      const mode_t old_mask = umask(0077);
      if (!ec) acceptor->bind(endpoint, ec);
      umask(old_mask);
      if (!ec && chmod(config.unix_path.c_str(), config.unix_mode) != 0) {
        ec = asio::error_code(errno, asio::error::get_system_category());
      }
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        return absl::UnavailableError(absl::StrCat(
            "cannot listen on ", config.unix_path, ": ", ec.message()));
      }
      listener->unix_socket = std::move(acceptor);
      bound_ports_.push_back(0);
    } else {
      asio::ip::address address = asio::ip::make_address(config.address, ec);
      if (ec) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad listen address '", config.address, "'"));
      }
      asio::ip::tcp::endpoint endpoint(address, config.port);
      auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io_);
      acceptor->open(endpoint.protocol(), ec);
      // Restart at once after a crash on the same ports.
      if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) acceptor->bind(endpoint, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec && config.skip_if_unavailable &&
          (ec == asio::error::address_family_not_supported ||
           ec == asio::error_code(EADDRNOTAVAIL,
                                  asio::error::get_system_category()))) {
        logger_->Log(absl::StrCat("not listening on ", where, " (",
                                  config.plugin, "): ", ec.message()));
        bound_ports_.push_back(0);
        continue;
      }
      if (ec) {
        return absl::UnavailableError(absl::StrCat(
            "cannot listen on ", where, " (", config.plugin,
            config.implicit_tls ? ", TLS" : "", "): ", ec.message()));
      }
      listener->port = acceptor->local_endpoint().port();
      bound_ports_.push_back(listener->port);
      listener->tcp = std::move(acceptor);
    }
    listeners_.push_back(std::move(listener));
  }

  if (!options_.admin_socket_path.empty() && admin_) {
    const std::string& path = options_.admin_socket_path;
    unlink(path.c_str());
    asio::error_code ec;
    auto acceptor = std::make_unique<asio::local::stream_protocol::acceptor>(io_);
    asio::local::stream_protocol::endpoint endpoint(path);
    acceptor->open(endpoint.protocol(), ec);
    // The socket is created with mode 0600: only the daemon's user may
    // administer it.
    const mode_t old_mask = umask(0077);
    if (!ec) acceptor->bind(endpoint, ec);
    umask(old_mask);
    if (!ec) chmod(path.c_str(), 0600);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on admin socket ", path, ": ",
                       ec.message()));
    }
    admin_acceptor_ = std::move(acceptor);
    asio::co_spawn(io_, AcceptAdmin(), asio::detached);
  }

  for (const auto& owned : listeners_) {
    Listener* listener = owned.get();
    const ListenerConfig& c = listener->config;
    logger_->Log(absl::StrCat(
        "listening: ", c.plugin, c.implicit_tls ? " (TLS)" : "", " on ",
        c.unix_path.empty() ? absl::StrCat(c.address, ":", listener->port)
                            : c.unix_path));
    if (listener->tcp != nullptr) {
      asio::co_spawn(io_, AcceptTcp(listener), asio::detached);
    } else {
      asio::co_spawn(io_, AcceptUnix(listener), asio::detached);
    }
  }
  WaitForSignals();
  threads_.emplace_back([this] { io_.run(); });
  for (const auto& loop : extra_loops_) {
    threads_.emplace_back([loop = loop.get()] { loop->run(); });
  }
  return absl::OkStatus();
}

void Server::WaitForSignals() {
  signals_.async_wait([this](const asio::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      if (tls_ == nullptr) {
        logger_->Log("SIGHUP: no TLS configured, nothing to reload");
      } else {
        absl::Status status = tls_->Reload();
        logger_->Log(status.ok() ? "SIGHUP: TLS certificate reloaded"
                                 : absl::StrCat("SIGHUP: TLS reload failed, "
                                                "keeping the old certificate: ",
                                                status.message()));
      }
      WaitForSignals();
      return;
    }
    logger_->Log(absl::StrCat("signal ", signal, ": shutting down"));
    Shutdown();
  });
}

asio::io_context& Server::NextSessionLoop() {
  const size_t i = next_loop_.fetch_add(1) % (extra_loops_.size() + 1);
  return i == 0 ? io_ : *extra_loops_[i - 1];
}

asio::awaitable<void> Server::AcceptTcp(Listener* listener) {
  for (;;) {
    asio::error_code ec;
    asio::io_context& loop = NextSessionLoop();
    asio::ip::tcp::socket socket = co_await listener->tcp->async_accept(
        loop, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || shutting_down_) co_return;
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      logger_->Log(absl::StrCat("accept failed: ", ec.message()));
      asio::steady_timer timer(io_, std::chrono::milliseconds(100));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    asio::error_code endpoint_error;
    asio::ip::tcp::endpoint peer = socket.remote_endpoint(endpoint_error);
    if (endpoint_error) continue;  // already gone
    asio::ip::tcp::no_delay no_delay(true);
    socket.set_option(no_delay, endpoint_error);
    std::string ip = peer.address().to_string();
    StartSession(Socket(std::move(socket)), loop, std::move(ip), listener);
  }
}

asio::awaitable<void> Server::AcceptUnix(Listener* listener) {
  for (;;) {
    asio::error_code ec;
    asio::io_context& loop = NextSessionLoop();
    asio::local::stream_protocol::socket socket =
        co_await listener->unix_socket->async_accept(
            loop, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || shutting_down_) co_return;
    if (ec) {
      logger_->Log(absl::StrCat("accept failed: ", ec.message()));
      asio::steady_timer timer(io_, std::chrono::milliseconds(100));
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    StartSession(Socket(std::move(socket)), loop, "unix", listener);
  }
}

void Server::StartSession(Socket socket, asio::io_context& loop,
                          std::string peer, Listener* listener) {
  const bool limited =
      options_.max_connections_per_ip > 0 && listener->tcp != nullptr;
  const uint64_t id = next_session_id_.fetch_add(1);
  {
    absl::MutexLock lock(&mu_);
    if (limited) {
      size_t& count = per_ip_[peer];
      if (count >= options_.max_connections_per_ip) {
        if (count == 0) per_ip_.erase(peer);
        logger_->Log(absl::StrCat("refused connection from ", peer, ": ",
                                  options_.max_connections_per_ip,
                                  " connections already"));
        asio::error_code ignored;
        socket.close(ignored);
        return;
      }
      ++count;
    }
  }
  auto conn = std::make_shared<AsioConnection>(
      std::move(socket), asio::make_strand(loop), id, peer, &env_);
  const plugin::PluginDescriptor* descriptor = listener->descriptor;
  {
    admin::SessionInfo info;
    info.id = id;
    info.protocol = descriptor->name;
    info.remote = peer;
    info.started_unix = absl::ToUnixSeconds(absl::Now());
    absl::MutexLock lock(&mu_);
    sessions_.emplace(id, conn);
    session_info_.emplace(id, std::move(info));
  }
  const bool implicit_tls = listener->config.implicit_tls;
  std::string ip = limited ? peer : std::string();
  asio::post(conn->strand(), [this, conn, descriptor, implicit_tls,
                              ip = std::move(ip)]() mutable {
    plugin::Spawn(RunSession(conn, descriptor, implicit_tls, std::move(ip)));
  });
}

plugin::Task<void> Server::RunSession(
    std::shared_ptr<AsioConnection> conn,
    const plugin::PluginDescriptor* descriptor, bool implicit_tls,
    std::string ip) {
  conn->Log(absl::StrCat("connect from ", conn->peer_address(), " to ",
                         descriptor->name, implicit_tls ? " (TLS)" : ""));
  bool ready = true;
  if (implicit_tls) {
    absl::Status status = co_await conn->StartImplicitTls();
    if (!status.ok()) {
      conn->Log(std::string(status.message()));
      ready = false;
    }
  }
  if (ready) {
    plugin::SessionContext context;
    context.connection = conn.get();
    context.store = store_;
    context.auth = auth_;
    context.config = &options_.config;
    context.implicit_tls = implicit_tls;
    if (std::string_view(descriptor->name) == "lmtp") {
      context.delivery_principal = [](std::string_view user) {
        return store::PrincipalIssuer::Admin(user);
      };
    }
    try {
      co_await descriptor->run_session(&context);
      (void)co_await conn->Flush();
    } catch (const std::exception& e) {
      conn->Log(absl::StrCat("session failed: ", e.what()));
    } catch (...) {
      conn->Log("session failed with an unknown exception");
    }
  }
  conn->Close();
  conn->Log("disconnect");
  EndSession(conn->id(), ip);
}

void Server::EndSession(uint64_t id, const std::string& ip) {
  absl::MutexLock lock(&mu_);
  sessions_.erase(id);
  session_info_.erase(id);
  if (!ip.empty()) {
    auto it = per_ip_.find(ip);
    if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
  }
}

size_t Server::session_count() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

std::vector<admin::SessionInfo> Server::List() {
  std::vector<admin::SessionInfo> list;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, info] : session_info_) list.push_back(info);
  }
  std::sort(list.begin(), list.end(),
            [](const admin::SessionInfo& a, const admin::SessionInfo& b) {
              return a.id < b.id;
            });
  return list;
}

size_t Server::Kick(std::string_view user) {
  std::vector<std::shared_ptr<AsioConnection>> victims;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, info] : session_info_) {
      if (info.user != user) continue;
      auto it = sessions_.find(id);
      if (it == sessions_.end()) continue;
      if (auto conn = it->second.lock()) victims.push_back(std::move(conn));
    }
  }
  for (auto& conn : victims) {
    conn->Log("kicked by the administrator");
    conn->Kick(kKickGrace);
  }
  return victims.size();
}

void Server::NoteLogin(uint64_t id, std::string_view user) {
  absl::MutexLock lock(&mu_);
  auto it = session_info_.find(id);
  if (it != session_info_.end()) it->second.user = std::string(user);
}

asio::awaitable<void> Server::AcceptAdmin() {
  for (;;) {
    asio::error_code ec;
    asio::local::stream_protocol::socket socket =
        co_await admin_acceptor_->async_accept(
            asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || shutting_down_) co_return;
    if (ec) continue;
    asio::co_spawn(io_, ServeAdmin(std::move(socket)), asio::detached);
  }
}

namespace {

// Sends a command's output as frames on the admin socket, from the worker
// thread that runs it (blocking writes; nothing else uses the socket
// meanwhile). Once a write fails the caller has gone: output is dropped and
// Cancelled() tells the command to stop.
class SocketOutput : public admin::AdminOutput {
 public:
  explicit SocketOutput(asio::local::stream_protocol::socket& socket)
      : socket_(socket) {}

  void Out(std::string_view text) override {
    Send(admin::EncodeFrame(admin::FrameType::kOut, text));
  }
  void Err(std::string_view text) override {
    Send(admin::EncodeFrame(admin::FrameType::kErr, text));
  }
  void Progress(const admin::ProgressUpdate& progress) override {
    Send(admin::EncodeProgressFrame(progress));
  }
  bool Cancelled() const override { return gone_.load(); }
  void Exit(int code) { Send(admin::EncodeExitFrame(code)); }

 private:
  void Send(const std::string& frame) {
    absl::MutexLock lock(&mu_);
    if (gone_.load()) return;
    asio::error_code ec;
    asio::write(socket_, asio::buffer(frame), ec);
    if (ec) gone_.store(true);
  }

  absl::Mutex mu_;
  asio::local::stream_protocol::socket& socket_;
  std::atomic<bool> gone_{false};
};

}  // namespace

asio::awaitable<void> Server::ServeAdmin(
    asio::local::stream_protocol::socket socket) {
  std::string request;
  asio::error_code ec;
  co_await asio::async_read(
      socket, asio::dynamic_buffer(request, admin::kMaxAdminRequestBytes),
      asio::redirect_error(asio::use_awaitable, ec));
  absl::StatusOr<std::vector<std::string>> args =
      admin::DecodeRequest(request);
  if (args.ok()) {
    logger_->Log(absl::StrCat("admin command: ",
                              args->empty() ? "" : (*args)[0],
                              args->size() > 1 ? " " + (*args)[1] : ""));
  }
  // Store calls block: run the command on the worker pool, which also
  // writes its output (blocking) while it runs.
  co_await asio::co_spawn(
      workers_,
      [this, &args, &socket]() -> asio::awaitable<void> {
        SocketOutput output(socket);
        if (!args.ok()) {
          output.Err(absl::StrCat(args.status().message(), "\n"));
          output.Exit(2);
          co_return;
        }
        output.Exit(admin_(*args, output));
      },
      asio::use_awaitable);
}

void Server::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shutdown_requested_) return;
    shutdown_requested_ = true;
  }
}

void Server::BeginShutdown() {
  shutting_down_.store(true);
  // Stop accepting (on the io threads, where the acceptors live).
  asio::post(io_, [this] {
    asio::error_code ignored;
    for (auto& listener : listeners_) {
      if (listener->tcp) listener->tcp->close(ignored);
      if (listener->unix_socket) listener->unix_socket->close(ignored);
    }
    if (admin_acceptor_) admin_acceptor_->close(ignored);
    signals_.cancel(ignored);
  });
  std::vector<std::shared_ptr<AsioConnection>> live;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, weak] : sessions_) {
      if (auto conn = weak.lock()) live.push_back(std::move(conn));
    }
  }
  for (auto& conn : live) conn->NotifyShutdown();
}

bool Server::Wait() {
  if (threads_.empty()) return true;
  mu_.LockWhen(absl::Condition(&shutdown_requested_));
  mu_.Unlock();
  BeginShutdown();

  bool clean = true;
  {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &Server::NoSessions),
                         absl::FromChrono(options_.shutdown_grace));
    if (!sessions_.empty()) {
      clean = false;
      logger_->Log(absl::StrCat("closing ", sessions_.size(),
                                " connection(s) still busy after the grace "
                                "period"));
      for (auto& [id, weak] : sessions_) {
        if (auto conn = weak.lock()) conn->ForceClose();
      }
      mu_.AwaitWithTimeout(absl::Condition(this, &Server::NoSessions),
                           absl::Seconds(1));
      clean = sessions_.empty();
    }
  }
  loop_work_.clear();
  io_.stop();
  for (const auto& loop : extra_loops_) loop->stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  workers_.join();
  logger_->Log(clean ? "stopped" : "stopped with sessions cut off");
  return clean;
}

}  // namespace mailroom::server
