#include "server/admin/admin_context.h"

#include <set>
#include <streambuf>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "server/admin/admin_commands.h"
#include "store/principal_issuer.h"

namespace mailroom::server::admin {
namespace {

// Options whose value may follow as the next argument ("--user bob").
const std::set<std::string>& ValueOptions() {
  static const auto* names = new std::set<std::string>{
      "password", "user", "mailbox", "storage_bytes", "messages",
      "after_retrieval_days", "after_arrival_days", "format", "fields",
      "flags", "date", "saved",
      // migrate
      "host", "port", "remote_user", "ca_file", "parallel", "state_dir",
      "batch_messages",
      // backup
      "target_data_dir", "id"};
  return *names;
}

// A stream buffer that hands what is written to one AdminOutput channel in
// pieces of up to 64 KiB, and on flush.
class ChannelBuffer : public std::streambuf {
 public:
  ChannelBuffer(AdminOutput& output, bool is_err)
      : output_(output), is_err_(is_err) {
    buffer_.resize(64 << 10);
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  ~ChannelBuffer() override { sync(); }

 protected:
  int_type overflow(int_type c) override {
    sync();
    if (c != traits_type::eof()) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override {
    const std::string_view text(pbase(), static_cast<size_t>(pptr() - pbase()));
    if (!text.empty()) {
      if (is_err_) {
        output_.Err(text);
      } else {
        output_.Out(text);
      }
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return 0;
  }

 private:
  AdminOutput& output_;
  const bool is_err_;
  std::string buffer_;
};

}  // namespace

struct AdminContext::Streams {
  Streams(AdminOutput& output)
      : out_buffer(output, false),
        err_buffer(output, true),
        out(&out_buffer),
        err(&err_buffer) {}
  ChannelBuffer out_buffer;
  ChannelBuffer err_buffer;
  std::ostream out;
  std::ostream err;
};

AdminContext::AdminContext(store::Store& store, AdminOutput& output,
                           SessionDirectory* sessions)
    : AdminContext(store, output, sessions,
                   std::make_unique<Streams>(output)) {}

AdminContext::AdminContext(store::Store& store, AdminOutput& output,
                           SessionDirectory* sessions,
                           std::unique_ptr<Streams> streams)
    : store(store),
      output(output),
      sessions(sessions),
      out(streams->out),
      err(streams->err),
      streams_(std::move(streams)) {}

AdminContext::~AdminContext() {
  streams_->out.flush();
  streams_->err.flush();
}

ParsedArgs Parse(const std::vector<std::string>& args) {
  ParsedArgs parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (absl::StartsWith(arg, "--") && arg.size() > 2) {
      const size_t eq = arg.find('=');
      if (eq != std::string::npos) {
        parsed.options[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
      } else {
        const std::string name = arg.substr(2);
        if (ValueOptions().count(name) && i + 1 < args.size()) {
          parsed.options[name] = args[++i];
        } else {
          parsed.options[name] = "true";
        }
      }
    } else {
      parsed.positional.push_back(arg);
    }
  }
  return parsed;
}

store::Principal AdminFor(const std::string& user) {
  return store::PrincipalIssuer::Admin(absl::AsciiStrToLower(user));
}

std::string JsonText(const nlohmann::json& doc) {
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

nlohmann::json FailureDocument(std::string_view message,
                               std::string_view code) {
  return {{"ok", false}, {"error", std::string(message)},
          {"code", std::string(code)}};
}

nlohmann::json FailureDocument(const absl::Status& status) {
  return FailureDocument(std::string(status.message()),
                         absl::StatusCodeToString(status.code()));
}

int Reply(const AdminContext& ctx, const ParsedArgs& args,
          const nlohmann::json& doc, std::string_view text) {
  if (args.json()) {
    ctx.out << JsonText(doc);
  } else {
    ctx.out << text;
  }
  return kExitOk;
}

int Fail(const AdminContext& ctx, const ParsedArgs& args,
         const absl::Status& status) {
  ctx.err << "error: " << status.message() << "\n";
  if (args.json()) ctx.out << JsonText(FailureDocument(status));
  return kExitFailed;
}

int Usage(const AdminContext& ctx, const ParsedArgs& args,
          std::string_view message) {
  ctx.err << "usage error: " << message << "\n\n" << AdminUsage();
  if (args.json()) ctx.out << JsonText(FailureDocument(message, "USAGE"));
  return kExitUsage;
}

}  // namespace mailroom::server::admin
