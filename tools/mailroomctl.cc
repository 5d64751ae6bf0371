// mailroomctl: the admin CLI.
//
//   mailroomctl [--data_dir=DIR] COMMAND ...   (see AdminUsage())
//
// RocksDB allows one writer process: when mailroomd runs on DIR, the command
// goes over its admin socket (DIR/admin.sock) and the daemon runs it on its
// open store; otherwise mailroomctl opens the store itself. "cert generate"
// needs no store.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/admin/admin_commands.h"
#include "server/admin/admin_protocol.h"
#include "server/cert_generator.h"
#include "server/store_options.h"
#include "store/store.h"

namespace mailroom {
namespace {

namespace fs = std::filesystem;
namespace admin = server::admin;

// The value of --NAME=V or --NAME V at args[*i]; advances *i.
std::optional<std::string> OptionValue(const std::vector<std::string>& args,
                                       size_t* i, const std::string& name) {
  const std::string& arg = args[*i];
  const std::string prefix = "--" + name;
  if (arg == prefix && *i + 1 < args.size()) return args[++*i];
  if (absl::StartsWith(arg, prefix + "=")) return arg.substr(prefix.size() + 1);
  return std::nullopt;
}

int CertGenerate(const std::vector<std::string>& args) {
  server::CertOptions options;
  std::string cert, key;
  for (size_t i = 2; i < args.size(); ++i) {
    if (auto v = OptionValue(args, &i, "out_cert")) {
      cert = *v;
    } else if (auto v = OptionValue(args, &i, "out_key")) {
      key = *v;
    } else if (auto v = OptionValue(args, &i, "cn")) {
      options.common_name = *v;
    } else if (args[i] == "--rsa") {
      options.rsa = true;
    } else {
      std::cerr << "usage: cert generate --out_cert=F --out_key=F [--cn=NAME] "
                   "[--rsa]\n";
      return admin::kExitUsage;
    }
  }
  if (cert.empty() || key.empty()) {
    std::cerr << "usage: cert generate --out_cert=F --out_key=F [--cn=NAME]\n";
    return admin::kExitUsage;
  }
  absl::Status status = server::GenerateSelfSignedCert(options, cert, key);
  if (!status.ok()) {
    std::cerr << "error: " << status.message() << "\n";
    return admin::kExitFailed;
  }
  std::cout << "certificate: " << cert << "\nkey: " << key << "\n";
  return admin::kExitOk;
}

// Connects to the daemon's admin socket; -1 when no daemon listens there.
int ConnectAdmin(const std::string& path) {
  sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return -1;
  std::memcpy(address.sun_path, path.data(), path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return -1;
  }
  return fd;
}

int Forward(int fd, const std::vector<std::string>& args) {
  const std::string request = admin::EncodeRequest(args);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = write(fd, request.data() + sent, request.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::cerr << "error: admin socket write failed\n";
      close(fd);
      return admin::kExitFailed;
    }
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string reply;
  char buffer[65536];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  absl::StatusOr<admin::Response> response = admin::DecodeResponse(reply);
  if (!response.ok()) {
    std::cerr << "error: no valid answer from mailroomd (did it stop?)\n";
    return admin::kExitFailed;
  }
  std::cout << response->out;
  std::cerr << response->err;
  return response->exit_code;
}

int Run(int argc, char** argv) {
  std::string data_dir = "./data";
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (absl::StartsWith(arg, "--data_dir=")) {
      data_dir = arg.substr(strlen("--data_dir="));
    } else if (arg == "--data_dir" && i + 1 < argc) {
      data_dir = argv[++i];
    } else if (arg == "--help" || arg == "-h" || arg == "help") {
      std::cout << "usage: mailroomctl [--data_dir=DIR] COMMAND ...\n"
                << admin::AdminUsage();
      return admin::kExitOk;
    } else if (arg == "--password_stdin") {
      // Read here: the daemon has no access to our stdin.
      std::string password;
      std::getline(std::cin, password);
      if (!password.empty() && password.back() == '\r') password.pop_back();
      args.push_back("--password=" + password);
    } else {
      args.push_back(std::move(arg));
    }
  }
  if (args.empty()) {
    std::cerr << "usage: mailroomctl [--data_dir=DIR] COMMAND ...\n"
              << admin::AdminUsage();
    return admin::kExitUsage;
  }
  if (args[0] == "cert") {
    if (args.size() >= 2 && args[1] == "generate") return CertGenerate(args);
    std::cerr << "usage: cert generate --out_cert=F --out_key=F [--cn=NAME]\n";
    return admin::kExitUsage;
  }
  // The daemon may run in another directory: make file paths absolute.
  if (args.size() >= 3 && args[0] == "import") {
    std::error_code ec;
    fs::path absolute = fs::absolute(args[2], ec);
    if (!ec) args[2] = absolute.string();
  }

  const std::string socket_path =
      (fs::path(data_dir) / admin::kAdminSocketName).string();
  int fd = ConnectAdmin(socket_path);
  if (fd >= 0) return Forward(fd, args);

  absl::StatusOr<std::unique_ptr<store::Store>> store =
      store::OpenStore(server::MakeStoreOptions(data_dir));
  if (!store.ok()) {
    std::cerr << "error: cannot open the store in " << data_dir << ": "
              << store.status().message() << "\n";
    return admin::kExitFailed;
  }
  return admin::RunAdminCommand(**store, args, std::cout, std::cerr);
}

}  // namespace
}  // namespace mailroom

int main(int argc, char** argv) { return mailroom::Run(argc, argv); }
