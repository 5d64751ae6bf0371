// What an admin command runs with (the store, where its output goes, the
// daemon's sessions) and what every command shares: argument parsing,
// replies as text or as one JSON document (--json), failures, progress.
#ifndef MAILROOM_SERVER_ADMIN_ADMIN_CONTEXT_H_
#define MAILROOM_SERVER_ADMIN_ADMIN_CONTEXT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "server/admin/admin_output.h"
#include "store/store.h"

namespace mailroom::server::admin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// Positional arguments and --options of one command line. "--name=value";
// "--name value" for the names ValueOptions() lists; a bare "--name" is
// "true".
struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  bool Has(const std::string& name) const { return options.count(name) > 0; }
  std::string Get(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? "" : it->second;
  }
  bool json() const { return Has("json"); }
};
ParsedArgs Parse(const std::vector<std::string>& args);

// The context of one command run. `out` and `err` are buffered streams over
// `output`; flush `out` to send what is written so far.
class AdminContext {
 public:
  AdminContext(store::Store& store, AdminOutput& output,
               SessionDirectory* sessions = nullptr);
  ~AdminContext();  // flushes out and err

  store::Store& store;
  AdminOutput& output;
  SessionDirectory* const sessions;
  std::ostream& out;
  std::ostream& err;

  void Progress(std::string_view label, uint64_t done, uint64_t total) const {
    output.Progress(ProgressUpdate{std::string(label), done, total});
  }
  bool Cancelled() const { return output.Cancelled(); }

 private:
  struct Streams;
  AdminContext(store::Store& store, AdminOutput& output,
               SessionDirectory* sessions, std::unique_ptr<Streams> streams);
  std::unique_ptr<Streams> streams_;
};

// The admin CLI acts with admin rights on behalf of `user`.
store::Principal AdminFor(const std::string& user);

// `doc` as printed on stdout: indented, invalid UTF-8 replaced, a newline.
std::string JsonText(const nlohmann::json& doc);
// The document a failed command prints with --json:
// {"ok": false, "error": message, "code": code}.
nlohmann::json FailureDocument(std::string_view message, std::string_view code);
nlohmann::json FailureDocument(const absl::Status& status);

// Prints `doc` (with --json) or `text`; returns kExitOk.
int Reply(const AdminContext& ctx, const ParsedArgs& args,
          const nlohmann::json& doc, std::string_view text);
// Reports a failure: "error: ..." on stderr and, with --json, the document
// {"ok": false, "error": message, "code": status code name} on stdout.
// Returns kExitFailed.
int Fail(const AdminContext& ctx, const ParsedArgs& args,
         const absl::Status& status);
// A usage error: the message and the usage text; kExitUsage.
int Usage(const AdminContext& ctx, const ParsedArgs& args,
          std::string_view message);

}  // namespace mailroom::server::admin

#endif  // MAILROOM_SERVER_ADMIN_ADMIN_CONTEXT_H_
