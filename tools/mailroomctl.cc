// mailroomctl: the admin CLI.
//
//   mailroomctl [--data_dir=DIR] COMMAND ...   (see AdminUsage())
//
// RocksDB allows one writer process: when mailroomd runs on DIR, the command
// goes over its admin socket (DIR/admin.sock) and the daemon runs it on its
// open store; otherwise mailroomctl opens the store itself. "cert generate"
// needs no store, nor do "backup list" and "backup restore" (a restore
// writes a new data directory for a daemon to start on). "reindex" then
// waits for the index queue to drain and shows progress (a bar on a
// terminal), unless --no-wait. "migrate" reads its password and users files
// here (see PrepareMigrate): the secrets travel inside the admin request,
// never on a command line.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/admin/admin_commands.h"
#include "server/admin/admin_context.h"
#include "server/admin/admin_protocol.h"
#include "server/admin/backup_commands.h"
#include "server/admin/sieve_commands.h"
#include "server/cert_generator.h"
#include "server/store_options.h"
#include "migrate/accounts.h"
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

// The index in `args` of the n-th word that is not an option (nor the
// value of an option that takes one, such as "--user bob").
std::optional<size_t> PositionalIndex(const std::vector<std::string>& args,
                                      size_t n) {
  static const char* const kValueOptions[] = {
      "--user", "--mailbox", "--format", "--target_data_dir", "--id"};
  for (size_t i = 0; i < args.size(); ++i) {
    if (absl::StartsWith(args[i], "--")) {
      if (std::find(std::begin(kValueOptions), std::end(kValueOptions),
                    args[i]) != std::end(kValueOptions)) {
        ++i;
      }
      continue;
    }
    if (n-- == 0) return i;
  }
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

// Makes a file path argument absolute (empty stays empty).
void MakeAbsolute(std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (!ec) path = absolute.string();
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

std::string ProgressBar(uint64_t done, uint64_t total) {
  constexpr int kWidth = 40;
  const double share =
      total == 0 ? 0.0 : std::min(1.0, static_cast<double>(done) / total);
  const int filled = static_cast<int>(share * kWidth);
  return absl::StrCat("[", std::string(filled, '#'),
                      std::string(kWidth - filled, '.'), "] ", done, "/",
                      total, " (", static_cast<int>(share * 100), "%)");
}

// Shows a command's output to mailroomctl's user: its stdout and stderr,
// and progress as a bar on a terminal or a plain line every few seconds
// otherwise. With --json, progress goes to stderr so that stdout holds the
// one JSON document.
class TerminalOutput : public admin::AdminOutput {
 public:
  explicit TerminalOutput(bool json)
      : progress_stream_(json ? std::cerr : std::cout),
        tty_(isatty(json ? STDERR_FILENO : STDOUT_FILENO) != 0) {}
  ~TerminalOutput() override { EndBar(); }

  void Out(std::string_view text) override {
    EndBar();
    std::cout << text << std::flush;
  }
  void Err(std::string_view text) override {
    EndBar();
    std::cerr << text << std::flush;
  }
  void Progress(const admin::ProgressUpdate& p) override {
    const bool finished = p.total > 0 && p.done >= p.total;
    if (tty_) {
      progress_stream_ << "\r" << p.label << " "
                       << (p.total > 0 ? ProgressBar(p.done, p.total)
                                       : absl::StrCat(p.done, " done"))
                       << "\x1b[K" << std::flush;
      bar_shown_ = true;
      if (finished) EndBar();
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!finished && last_line_.has_value() &&
        now - *last_line_ < std::chrono::seconds(2)) {
      return;
    }
    last_line_ = now;
    progress_stream_ << p.label << ": " << p.done;
    if (p.total > 0) progress_stream_ << "/" << p.total;
    progress_stream_ << "\n" << std::flush;
  }

 private:
  void EndBar() {
    if (!bar_shown_) return;
    progress_stream_ << "\n" << std::flush;
    bar_shown_ = false;
  }

  std::ostream& progress_stream_;
  const bool tty_;
  bool bar_shown_ = false;
  std::optional<std::chrono::steady_clock::time_point> last_line_;
};

// Keeps a command's output (for commands mailroomctl reads itself).
class CapturedOutput : public admin::AdminOutput {
 public:
  void Out(std::string_view text) override { out.append(text); }
  void Err(std::string_view text) override { err.append(text); }
  void Progress(const admin::ProgressUpdate&) override {}
  std::string out, err;
};

// Sends one request on a connected admin socket and passes the frames of
// the answer to `output` as they arrive; returns the exit code.
absl::StatusOr<int> Exchange(int fd, const std::vector<std::string>& args,
                             admin::AdminOutput& output) {
  const std::string request = admin::EncodeRequest(args);
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = write(fd, request.data() + sent, request.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return absl::UnavailableError("admin socket write failed");
    }
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  admin::FrameReader reader;
  char buffer[65536];
  for (;;) {
    absl::StatusOr<std::optional<admin::Frame>> frame = reader.Next();
    if (!frame.ok()) break;
    if (frame->has_value()) {
      const admin::Frame& f = **frame;
      switch (f.type) {
        case admin::FrameType::kOut:
          output.Out(f.payload);
          break;
        case admin::FrameType::kErr:
          output.Err(f.payload);
          break;
        case admin::FrameType::kProgress:
          if (auto p = admin::DecodeProgress(f.payload)) output.Progress(*p);
          break;
        case admin::FrameType::kExit:
          close(fd);
          if (auto code = admin::DecodeExit(f.payload)) return *code;
          return absl::UnavailableError("malformed answer from mailroomd");
      }
      continue;
    }
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reader.Feed(std::string_view(buffer, static_cast<size_t>(n)));
  }
  close(fd);
  return absl::UnavailableError(
      "no complete answer from mailroomd (did it stop?)");
}

// Runs admin commands on the daemon (its admin socket) when one listens on
// the data directory, else on a store opened here, kept open for the
// commands that follow (a reindex is then indexed by this process).
//
// Thread-safety: not thread-safe.
class CommandRunner {
 public:
  CommandRunner(std::string data_dir, server::StoreSettings settings)
      : data_dir_(std::move(data_dir)),
        settings_(std::move(settings)),
        socket_path_(
            (fs::path(data_dir_) / admin::kAdminSocketName).string()) {}

  // The command's exit code.
  absl::StatusOr<int> Run(const std::vector<std::string>& args,
                          admin::AdminOutput& output) {
    if (store_ == nullptr) {
      const int fd = ConnectAdmin(socket_path_);
      if (fd >= 0) return Exchange(fd, args, output);
      absl::StatusOr<store::StoreOptions> options =
          server::MakeStoreOptions(data_dir_, settings_);
      if (!options.ok()) return options.status();
      absl::StatusOr<std::unique_ptr<store::Store>> store =
          store::OpenStore(*options);
      if (!store.ok()) {
        return absl::Status(
            store.status().code(),
            absl::StrCat("cannot open the store in ", data_dir_, ": ",
                         store.status().message()));
      }
      store_ = *std::move(store);
    }
    admin::AdminContext ctx(*store_, output);
    return admin::RunAdminCommand(ctx, args);
  }

 private:
  const std::string data_dir_;
  const server::StoreSettings settings_;
  const std::string socket_path_;
  std::unique_ptr<store::Store> store_;
};

// "migrate": reads the secrets here, so that they travel inside the admin
// request and never on a command line: --remote_password_file becomes
// --remote_password, --users_file becomes --accounts (a JSON list with the
// passwords). Makes --ca_file absolute and adds the state directory
// (DATA_DIR/migrate). An error message, or "" when the arguments are fine.
std::string PrepareMigrate(std::vector<std::string>& args,
                           const std::string& data_dir) {
  std::vector<std::string> out;
  bool has_state_dir = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (auto v = OptionValue(args, &i, "remote_password_file")) {
      absl::StatusOr<std::string> password = migrate::ReadPasswordFile(*v);
      if (!password.ok()) return std::string(password.status().message());
      out.push_back("--remote_password=" + *password);
    } else if (auto v = OptionValue(args, &i, "users_file")) {
      absl::StatusOr<std::vector<migrate::Account>> accounts =
          migrate::ReadUsersFile(*v);
      if (!accounts.ok()) return std::string(accounts.status().message());
      out.push_back("--accounts=" + migrate::AccountsToJson(*accounts).dump());
    } else if (auto v = OptionValue(args, &i, "ca_file")) {
      std::error_code ec;
      fs::path absolute = fs::absolute(*v, ec);
      out.push_back("--ca_file=" + (ec ? *v : absolute.string()));
    } else if (absl::StartsWith(args[i], "--remote_password=") ||
               args[i] == "--remote_password" ||
               absl::StartsWith(args[i], "--accounts")) {
      return "passwords are not taken on the command line: use "
             "--remote_password_file=F or --users_file=F";
    } else {
      if (absl::StartsWith(args[i], "--state_dir")) has_state_dir = true;
      out.push_back(args[i]);
    }
  }
  if (!has_state_dir) {
    std::error_code ec;
    fs::path dir = fs::absolute(fs::path(data_dir) / "migrate", ec);
    out.push_back("--state_dir=" + dir.string());
  }
  args = std::move(out);
  return "";
}

// Sum of the queued column of "index status ... --format=plain".
uint64_t QueuedIn(const std::string& plain_status) {
  uint64_t total = 0;
  std::istringstream lines(plain_status);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ');
    uint64_t queued = 0;
    if (fields.size() >= 2 && absl::SimpleAtoi(fields[1], &queued)) {
      total += queued;
    }
  }
  return total;
}

// Polls the index queue of `user` (every user if empty) until it is empty,
// showing progress. The total is the largest queue seen (work queued by
// mail arriving meanwhile counts too).
int WaitForReindex(CommandRunner& runner, const std::string& user,
                   admin::AdminOutput& output) {
  const auto poll = std::chrono::milliseconds(200);
  std::vector<std::string> status = {"index", "status"};
  if (!user.empty()) status.push_back(user);
  status.push_back("--format=plain");
  uint64_t total = 0;
  for (;;) {
    CapturedOutput captured;
    absl::StatusOr<int> code = runner.Run(status, captured);
    if (!code.ok() || *code != admin::kExitOk) {
      output.Err(absl::StrCat(
          "error: cannot read the index queue: ",
          code.ok() ? captured.err : std::string(code.status().message()),
          "\n"));
      return admin::kExitFailed;
    }
    const uint64_t queued = QueuedIn(captured.out);
    total = std::max(total, queued);
    output.Progress({"reindex", total - queued, total});
    if (queued == 0) break;
    std::this_thread::sleep_for(poll);
  }
  output.Out("reindex complete\n");
  return admin::kExitOk;
}

// "sieve put ... FILE|-": reads the script (the file, or stdin for "-")
// and passes it in the request in place of FILE, since the daemon that may
// run the command sees neither. Returns an error message, or "".
std::string ReadSieveSource(std::vector<std::string>& args) {
  std::optional<size_t> file;
  for (size_t n = 0;; ++n) {
    std::optional<size_t> i = PositionalIndex(args, n);
    if (!i.has_value()) break;
    file = i;
  }
  if (!file.has_value() || *file < 3) return "";  // the command says usage
  std::string source;
  if (args[*file] == "-") {
    std::ostringstream in;
    in << std::cin.rdbuf();
    source = in.str();
  } else {
    std::ifstream in(args[*file], std::ios::binary);
    if (!in) return "cannot read " + args[*file];
    std::ostringstream data;
    data << in.rdbuf();
    source = data.str();
  }
  args[*file] = absl::StrCat("--", admin::kSieveSourceOption, "=", source);
  return "";
}

int Run(int argc, char** argv) {
  // Whatever it writes into the data dir (the store, index, backups,
  // exports) is as private as what the daemon writes.
  umask(077);
  std::string data_dir = "./data";
  server::StoreSettings settings;
  std::vector<std::string> args;
  bool no_wait = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (absl::StartsWith(arg, "--") && eq != std::string::npos &&
        server::SetStoreSetting(settings, arg.substr(2, eq - 2),
                                arg.substr(eq + 1))) {
      continue;  // --store=..., --rados_conf=...
    }
    if (absl::StartsWith(arg, "--data_dir=")) {
      data_dir = arg.substr(strlen("--data_dir="));
    } else if (arg == "--data_dir" && i + 1 < argc) {
      data_dir = argv[++i];
    } else if (arg == "--help" || arg == "-h" ||
               (arg == "help" && args.empty())) {
      // "help" asks for help only as the command word: "user add help"
      // adds a user named help.
      std::cout << "usage: mailroomctl [--data_dir=DIR] [--store=rocksdb|rados "
                   "--rados_conf=F --rados_pool=P --rados_namespace=NS "
                   "--rados_user=ID] COMMAND ...\n"
                << admin::AdminUsage();
      return admin::kExitOk;
    } else if (arg == "--no-wait" || arg == "--no_wait") {
      no_wait = true;  // ours: the daemon never waits
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
  // The daemon may run in another directory: make file paths absolute
  // ("import FORMAT PATH", "export USER DIR": the third word).
  if (args[0] == "import" || args[0] == "export") {
    // "import PATH" (format detected) has the path second.
    std::optional<size_t> format = PositionalIndex(args, 1);
    const bool detected = args[0] == "import" && format.has_value() &&
                          args[*format] != "mbox" &&
                          args[*format] != "maildir" &&
                          !PositionalIndex(args, 2).has_value();
    if (std::optional<size_t> i = detected ? format : PositionalIndex(args, 2)) {
      std::error_code ec;
      fs::path absolute = fs::absolute(args[*i], ec);
      if (!ec) args[*i] = absolute.string();
    }
  }
  if (args[0] == "backup") {
    if (std::optional<size_t> dir = PositionalIndex(args, 2)) {
      MakeAbsolute(args[*dir]);
    }
    const std::string option = "--target_data_dir";
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == option && i + 1 < args.size()) {
        MakeAbsolute(args[++i]);
      } else if (absl::StartsWith(args[i], option + "=")) {
        std::string value = args[i].substr(option.size() + 1);
        MakeAbsolute(value);
        args[i] = option + "=" + value;
      }
    }
  }
  // Listing and restoring backups need no store (and no daemon).
  if (admin::IsStorelessBackupCommand(args)) {
    const bool json =
        std::find(args.begin(), args.end(), "--json") != args.end();
    TerminalOutput output(json);
    return admin::RunStorelessBackup(args, output);
  }
  if (args.size() >= 4 && args[0] == "save") {  // save USER MAILBOX FILE
    std::error_code ec;
    fs::path absolute = fs::absolute(args[3], ec);
    if (!ec) args[3] = absolute.string();
  }

  if (args[0] == "sieve" && args.size() > 1 && args[1] == "put") {
    const std::string error = ReadSieveSource(args);
    if (!error.empty()) {
      std::cerr << "error: " << error << "\n";
      return admin::kExitFailed;
    }
  }
  if (args[0] == "migrate") {
    const std::string error = PrepareMigrate(args, data_dir);
    if (!error.empty()) {
      std::cerr << "error: " << error << "\n";
      return admin::kExitUsage;
    }
  }
  const bool json = std::find(args.begin(), args.end(), "--json") != args.end();
  TerminalOutput output(json);
  CommandRunner runner(data_dir, settings);
  absl::StatusOr<int> code = runner.Run(args, output);
  if (!code.ok()) {
    output.Err(absl::StrCat("error: ", code.status().message(), "\n"));
    if (json) {
      output.Out(admin::JsonText(admin::FailureDocument(code.status())));
    }
    return admin::kExitFailed;
  }
  if (*code != admin::kExitOk || args[0] != "reindex" || no_wait || json) {
    return *code;
  }
  return WaitForReindex(runner, args.size() > 1 ? args[1] : "", output);
}

}  // namespace
}  // namespace mailroom

int main(int argc, char** argv) { return mailroom::Run(argc, argv); }
