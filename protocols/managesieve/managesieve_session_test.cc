#include "protocols/managesieve/managesieve_session.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "protocols/pop3/testing/fake_authenticator.h"
#include "protocols/pop3/testing/fake_connection.h"
#include "protocols/pop3/testing/fake_store.h"
#include "sieve/limits.h"
#include "sieve/script.h"

namespace mailroom::managesieve {
namespace {

using ::mailroom::testing::FakeAuthenticator;
using ::mailroom::testing::FakeConnection;
using ::mailroom::testing::FakeStore;

// The store's Sieve script calls as store.h declares them, in memory, with
// small limits (3 scripts, 200 bytes each).
class SieveStore : public FakeStore {
 public:
  static constexpr uint64_t kMaxBytes = 200;
  static constexpr size_t kMaxScripts = 3;

  absl::Status fail_next = absl::OkStatus();
  int put_calls = 0;

  absl::StatusOr<std::vector<store::SieveScriptInfo>> ListSieveScripts(
      const store::Principal& who, std::string_view owner) override {
    if (absl::Status s = Check(who, owner); !s.ok()) return s;
    std::vector<store::SieveScriptInfo> out;
    for (const auto& [name, source] : scripts_[std::string(owner)]) {
      out.push_back({name, source.size(), active_[std::string(owner)] == name});
    }
    return out;
  }
  absl::StatusOr<std::string> GetSieveScript(const store::Principal& who,
                                             std::string_view owner,
                                             std::string_view name) override {
    if (absl::Status s = Check(who, owner); !s.ok()) return s;
    auto& scripts = scripts_[std::string(owner)];
    auto it = scripts.find(std::string(name));
    if (it == scripts.end()) return absl::NotFoundError("no such script");
    return it->second;
  }
  absl::Status PutSieveScript(const store::Principal& who,
                              std::string_view owner, std::string_view name,
                              std::string_view source) override {
    ++put_calls;
    if (absl::Status s = CheckSieveSpace(who, owner, name, source.size());
        !s.ok()) {
      return s;
    }
    absl::Status compiled = sieve::Compile(source, sieve::Limits()).status();
    if (!compiled.ok()) return compiled;
    scripts_[std::string(owner)][std::string(name)] = std::string(source);
    return absl::OkStatus();
  }
  absl::Status CheckSieveSpace(const store::Principal& who,
                               std::string_view owner, std::string_view name,
                               uint64_t size) override {
    if (absl::Status s = Check(who, owner); !s.ok()) return s;
    if (name.empty()) return absl::InvalidArgumentError("bad script name");
    if (size > kMaxBytes) {
      return absl::ResourceExhaustedError("QUOTA/MAXSIZE: at most 200 bytes");
    }
    auto& scripts = scripts_[std::string(owner)];
    if (scripts.count(std::string(name)) == 0 &&
        scripts.size() >= kMaxScripts) {
      return absl::ResourceExhaustedError("QUOTA/MAXSCRIPTS");
    }
    return absl::OkStatus();
  }
  absl::Status ActivateSieveScript(const store::Principal& who,
                                   std::string_view owner,
                                   std::string_view name) override {
    if (absl::Status s = Check(who, owner); !s.ok()) return s;
    if (!name.empty() &&
        scripts_[std::string(owner)].count(std::string(name)) == 0) {
      return absl::NotFoundError("no such script");
    }
    active_[std::string(owner)] = std::string(name);
    return absl::OkStatus();
  }
  absl::Status DeleteSieveScript(const store::Principal& who,
                                 std::string_view owner,
                                 std::string_view name) override {
    if (absl::Status s = Check(who, owner); !s.ok()) return s;
    auto& scripts = scripts_[std::string(owner)];
    if (scripts.count(std::string(name)) == 0) {
      return absl::NotFoundError("no such script");
    }
    if (active_[std::string(owner)] == name) {
      return absl::FailedPreconditionError("ACTIVE script is active");
    }
    scripts.erase(std::string(name));
    return absl::OkStatus();
  }
  absl::Status RenameSieveScript(const store::Principal& who,
                                 std::string_view owner, std::string_view from,
                                 std::string_view to) override {
    if (absl::Status s = Check(who, owner); !s.ok()) return s;
    auto& scripts = scripts_[std::string(owner)];
    auto it = scripts.find(std::string(from));
    if (it == scripts.end()) return absl::NotFoundError("no such script");
    if (scripts.count(std::string(to)) > 0) {
      return absl::AlreadyExistsError("exists");
    }
    scripts[std::string(to)] = it->second;
    scripts.erase(it);
    if (active_[std::string(owner)] == from) {
      active_[std::string(owner)] = std::string(to);
    }
    return absl::OkStatus();
  }

  std::map<std::string, std::string>& scripts(const std::string& owner) {
    return scripts_[owner];
  }
  std::string active(const std::string& owner) { return active_[owner]; }

 private:
  absl::Status Check(const store::Principal& who, std::string_view owner) {
    if (!fail_next.ok()) return std::exchange(fail_next, absl::OkStatus());
    if (who.user() != owner) return absl::NotFoundError("no such owner");
    return absl::OkStatus();
  }

  std::map<std::string, std::map<std::string, std::string>> scripts_;
  std::map<std::string, std::string> active_;
};

std::string PlainLogin(const std::string& user, const std::string& password) {
  return absl::Base64Escape(absl::StrCat(std::string(1, '\0'), user,
                                         std::string(1, '\0'), password));
}

class ManageSieveSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.CreateUser("alice", "secret").ok());
    config_.hostname = "mx.test";
  }

  // Runs a whole session and returns everything after the greeting.
  std::string Run(std::string_view input) {
    conn_.AddInput(input);
    plugin::SessionContext context;
    context.connection = &conn_;
    context.store = &store_;
    context.auth = &auth_;
    context.config = &config_;
    plugin::Spawn(RunManageSieveSession(&context));
    EXPECT_TRUE(conn_.unflushed().empty());
    const std::string& out = conn_.output();
    const size_t greeting_end = out.find("OK \"mx.test");
    EXPECT_NE(greeting_end, std::string::npos);
    return out.substr(out.find("\r\n", greeting_end) + 2);
  }
  std::string LoggedIn(const std::string& input) {
    std::string out = Run(absl::StrCat("AUTHENTICATE \"PLAIN\" \"",
                                       PlainLogin("alice", "secret"),
                                       "\"\r\n", input));
    EXPECT_TRUE(absl::StartsWith(out, "OK \"Logged in\"\r\n")) << out;
    return out.substr(std::min(out.size(), out.find("\r\n") + 2));
  }

  SieveStore store_;
  FakeAuthenticator auth_{&store_};
  FakeConnection conn_;
  plugin::Config config_;
};

TEST_F(ManageSieveSessionTest, GreetingIsTheCapabilityList) {
  conn_.set_tls_available(true);
  Run("LOGOUT\r\n");
  const std::string& out = conn_.output();
  EXPECT_TRUE(absl::StartsWith(out, "\"IMPLEMENTATION\" \"Mailroom\"\r\n"));
  EXPECT_TRUE(absl::StrContains(out, "\"SASL\" \"PLAIN X-TWO-STEP\"\r\n"));
  EXPECT_TRUE(absl::StrContains(out, "\"SIEVE\" \"body "));
  EXPECT_TRUE(absl::StrContains(out, " fileinto "));
  EXPECT_TRUE(absl::StrContains(out, "\"STARTTLS\"\r\n"));
  EXPECT_TRUE(absl::StrContains(out, "\"MAXREDIRECTS\" \"4\"\r\n"));
  EXPECT_TRUE(absl::StrContains(out, "\"VERSION\" \"1.0\"\r\n"));
  EXPECT_TRUE(absl::StrContains(out, "\"UNAUTHENTICATE\"\r\n"));
  EXPECT_FALSE(absl::StrContains(out, "OWNER"));
  EXPECT_TRUE(absl::EndsWith(out, "OK \"Logout completed\"\r\n"));
}

TEST_F(ManageSieveSessionTest, StartTlsReissuesCapabilities) {
  conn_.set_tls_available(true);
  std::string out = Run("STARTTLS\r\nCAPABILITY\r\nSTARTTLS\r\n");
  EXPECT_EQ(conn_.tls_starts(), 1);
  EXPECT_TRUE(absl::StartsWith(out, "OK \"Begin TLS negotiation\"\r\n"
                                    "\"IMPLEMENTATION\""));
  // Over TLS: no STARTTLS any more, and a second one is refused.
  const size_t after = out.find("OK \"TLS negotiation successful\"");
  ASSERT_NE(after, std::string::npos);
  EXPECT_FALSE(absl::StrContains(out.substr(after), "\"STARTTLS\""));
  EXPECT_TRUE(absl::EndsWith(out, "NO \"TLS is already active\"\r\n"));
}

TEST_F(ManageSieveSessionTest, PlaintextNeedsEncryption) {
  auth_.set_plaintext_allowed(false);
  conn_.set_tls_available(true);
  std::string out = Run(absl::StrCat("AUTHENTICATE \"PLAIN\" \"",
                                     PlainLogin("alice", "secret"), "\"\r\n"));
  EXPECT_EQ(out, "NO (ENCRYPT-NEEDED) \"Plaintext authentication needs TLS; "
                 "use STARTTLS\"\r\n");
}

TEST_F(ManageSieveSessionTest, PlaintextWithoutTlsIsTooWeak) {
  auth_.set_plaintext_allowed(false);
  std::string out = Run("AUTHENTICATE \"PLAIN\"\r\n");
  EXPECT_TRUE(absl::StartsWith(out, "NO (AUTH-TOO-WEAK)")) << out;
}

TEST_F(ManageSieveSessionTest, AuthenticateWithContinuation) {
  std::string out =
      Run(absl::StrCat("AUTHENTICATE \"PLAIN\"\r\n\"",
                       PlainLogin("alice", "secret"), "\"\r\nCAPABILITY\r\n"));
  EXPECT_TRUE(absl::StartsWith(out, "\"\"\r\nOK \"Logged in\"\r\n")) << out;
  EXPECT_TRUE(absl::StrContains(out, "\"OWNER\" \"alice\"\r\n"));
  EXPECT_TRUE(absl::StrContains(out, "\"SASL\" \"\"\r\n"));
}

TEST_F(ManageSieveSessionTest, AuthenticateWithLiteralResponseAndFinalData) {
  // X-TWO-STEP: a challenge, then server-final data the client acknowledges
  // with an empty string.
  const std::string answer = absl::Base64Escape("alice:secret");
  std::string out = Run(absl::StrCat("AUTHENTICATE \"X-TWO-STEP\"\r\n{",
                                     answer.size(), "+}\r\n", answer,
                                     "\r\n\"\"\r\n"));
  EXPECT_EQ(out, absl::StrCat("\"", absl::Base64Escape("who?"), "\"\r\n\"",
                              absl::Base64Escape("ok"),
                              "\"\r\nOK \"Logged in\"\r\n"));
}

TEST_F(ManageSieveSessionTest, AuthenticateFailuresAndCancel) {
  std::string out = Run(absl::StrCat(
      "AUTHENTICATE \"PLAIN\" \"", PlainLogin("alice", "wrong"), "\"\r\n",
      "AUTHENTICATE \"PLAIN\"\r\n\"*\"\r\n", "AUTHENTICATE \"NOPE\"\r\n",
      "AUTHENTICATE \"PLAIN\" \"!!!\"\r\n", "AUTHENTICATE PLAIN\r\n",
      "LISTSCRIPTS\r\n"));
  std::vector<std::string> lines = absl::StrSplit(out, "\r\n");
  ASSERT_GE(lines.size(), 7u) << out;
  EXPECT_EQ(lines[0], "NO \"Authentication failed\"");
  EXPECT_EQ(lines[1], "\"\"");
  EXPECT_EQ(lines[2], "NO \"Authentication cancelled\"");
  EXPECT_EQ(lines[3], "NO \"Unsupported authentication mechanism\"");
  EXPECT_EQ(lines[4], "NO \"Invalid base64 data\"");
  EXPECT_TRUE(absl::StartsWith(lines[5], "NO \"Syntax: AUTHENTICATE"));
  EXPECT_EQ(lines[6], "NO \"Unknown command or not allowed before login\"");
}

TEST_F(ManageSieveSessionTest, NoopEchoesTag) {
  std::string out = Run("NOOP\r\nNOOP \"STARTTLS-SYNC-42\"\r\nNOOP x\r\n");
  EXPECT_EQ(out,
            "OK \"Done\"\r\n"
            "OK (TAG \"STARTTLS-SYNC-42\") \"Done\"\r\n"
            "NO \"Syntax: NOOP [string]\"\r\n");
}

TEST_F(ManageSieveSessionTest, PutListGetActivate) {
  const std::string script = "require \"fileinto\";\r\nfileinto \"Spam\";\r\n";
  std::string out = LoggedIn(absl::StrCat(
      "PUTSCRIPT \"main\" {", script.size(), "+}\r\n", script, "\r\n",
      "PUTSCRIPT \"other\" \"keep;\"\r\n", "SETACTIVE \"main\"\r\n",
      "LISTSCRIPTS\r\n", "GETSCRIPT \"main\"\r\n", "LOGOUT\r\n"));
  EXPECT_EQ(out, absl::StrCat("OK \"Script stored\"\r\n"
                              "OK \"Script stored\"\r\n"
                              "OK \"Script activated\"\r\n"
                              "\"main\" ACTIVE\r\n\"other\"\r\n"
                              "OK \"Listscripts completed\"\r\n{",
                              script.size(), "}\r\n", script,
                              "\r\nOK \"Getscript completed\"\r\n"
                              "OK \"Logout completed\"\r\n"));
  EXPECT_EQ(store_.scripts("alice")["main"], script);
  EXPECT_EQ(store_.active("alice"), "main");
}

TEST_F(ManageSieveSessionTest, CompileErrorsCarryLineAndColumn) {
  const std::string script = "keep;\r\nfrobnicate;\r\n";
  std::string out = LoggedIn(absl::StrCat(
      "PUTSCRIPT \"bad\" {", script.size(), "+}\r\n", script, "\r\n",
      "CHECKSCRIPT {", script.size(), "+}\r\n", script, "\r\n",
      "CHECKSCRIPT \"keep;\"\r\n"));
  std::vector<std::string> lines = absl::StrSplit(out, "\r\n");
  ASSERT_GE(lines.size(), 3u);
  EXPECT_TRUE(absl::StartsWith(lines[0], "NO \"2:1: ")) << out;
  EXPECT_TRUE(absl::StartsWith(lines[1], "NO \"2:1: ")) << out;
  EXPECT_EQ(lines[2], "OK \"Script is valid\"");
  EXPECT_TRUE(store_.scripts("alice").empty());
}

TEST_F(ManageSieveSessionTest, ResponseCodes) {
  store_.scripts("alice")["a"] = "keep;";
  store_.scripts("alice")["b"] = "keep;";
  const std::string big(SieveStore::kMaxBytes + 1, '#');
  std::string out = LoggedIn(absl::StrCat(
      "SETACTIVE \"a\"\r\n",                        // 0
      "DELETESCRIPT \"a\"\r\n",                     // 1 ACTIVE
      "GETSCRIPT \"zz\"\r\n",                       // 2 NONEXISTENT
      "SETACTIVE \"zz\"\r\n",                       // 3 NONEXISTENT
      "RENAMESCRIPT \"a\" \"b\"\r\n",               // 4 ALREADYEXISTS
      "RENAMESCRIPT \"zz\" \"y\"\r\n",              // 5 NONEXISTENT
      "HAVESPACE \"c\" 10\r\n",                     // 6 OK
      "HAVESPACE \"c\" 100000\r\n",                 // 7 MAXSIZE
      "PUTSCRIPT \"c\" \"keep;\"\r\n",              // 8 OK
      "PUTSCRIPT \"d\" \"keep;\"\r\n",              // 9 MAXSCRIPTS
      "HAVESPACE \"d\" 1\r\n",                      // 10 MAXSCRIPTS
      "PUTSCRIPT \"c\" {", big.size(), "+}\r\n", big, "\r\n",  // 11 MAXSIZE
      "SETACTIVE \"\"\r\n",                         // 12 deactivates
      "DELETESCRIPT \"a\"\r\n",                     // 13 OK
      "RENAMESCRIPT \"b\" \"e\"\r\n",               // 14 OK
      "HAVESPACE \"c\" x\r\n"));                    // 15 syntax
  std::vector<std::string> lines = absl::StrSplit(out, "\r\n");
  ASSERT_GE(lines.size(), 16u) << out;
  EXPECT_EQ(lines[0], "OK \"Script activated\"");
  EXPECT_TRUE(absl::StartsWith(lines[1], "NO (ACTIVE)"));
  EXPECT_TRUE(absl::StartsWith(lines[2], "NO (NONEXISTENT)"));
  EXPECT_TRUE(absl::StartsWith(lines[3], "NO (NONEXISTENT)"));
  EXPECT_TRUE(absl::StartsWith(lines[4], "NO (ALREADYEXISTS)"));
  EXPECT_TRUE(absl::StartsWith(lines[5], "NO (NONEXISTENT)"));
  EXPECT_EQ(lines[6], "OK \"Putscript would succeed\"");
  EXPECT_TRUE(absl::StartsWith(lines[7], "NO (QUOTA/MAXSIZE)"));
  EXPECT_EQ(lines[8], "OK \"Script stored\"");
  EXPECT_EQ(lines[9], "NO (QUOTA/MAXSCRIPTS) \"Too many scripts\"");
  EXPECT_TRUE(absl::StartsWith(lines[10], "NO (QUOTA/MAXSCRIPTS)"));
  EXPECT_TRUE(absl::StartsWith(lines[11], "NO (QUOTA/MAXSIZE)"));
  EXPECT_EQ(lines[12], "OK \"No script is active\"");
  EXPECT_EQ(lines[13], "OK \"Script deleted\"");
  EXPECT_EQ(lines[14], "OK \"Script renamed\"");
  EXPECT_TRUE(absl::StartsWith(lines[15], "NO \"Syntax: HAVESPACE"));
  EXPECT_EQ(store_.active("alice"), "");
}

TEST_F(ManageSieveSessionTest, ScriptOverQuotaIsSkippedUnread) {
  const std::string big(SieveStore::kMaxBytes + 1, '#');
  std::string out = LoggedIn(absl::StrCat("PUTSCRIPT \"s\" {", big.size(),
                                          "+}\r\n", big, "\r\nNOOP\r\n"));
  EXPECT_EQ(out,
            "NO (QUOTA/MAXSIZE) \"at most 200 bytes\"\r\n"
            "OK \"Done\"\r\n");
  EXPECT_EQ(store_.put_calls, 0);
}

TEST_F(ManageSieveSessionTest, StoreUnavailableIsTryLater) {
  store_.fail_next = absl::UnavailableError("engine busy");
  std::string out = LoggedIn("LISTSCRIPTS\r\n");
  EXPECT_EQ(out, "NO (TRYLATER) \"Try again later\"\r\n");
}

TEST_F(ManageSieveSessionTest, OversizedLiteralIsSkippedNotFatal) {
  config_.max_literal_bytes = 1024;  // below the compiler's limit
  const std::string big(5000, 'x');
  std::string out = LoggedIn(absl::StrCat("CHECKSCRIPT {", big.size(),
                                          "+}\r\n", big, "\r\nNOOP\r\n"));
  EXPECT_EQ(out,
            "NO (QUOTA/MAXSIZE) \"Literal larger than 1024 octets\"\r\n"
            "OK \"Done\"\r\n");
}

TEST_F(ManageSieveSessionTest, OversizedLiteralBeforeLoginEndsSession) {
  config_.max_preauth_command_bytes = 1000;
  std::string out = Run("NOOP {5000+}\r\n");
  EXPECT_EQ(out, "BYE \"Literal too large before login\"\r\n");
}

TEST_F(ManageSieveSessionTest, BadInputKeepsTheSession) {
  config_.max_line_bytes = 2048;
  std::string out = Run(absl::StrCat(std::string(3000, 'A'), "\r\n",
                                     "FROB\r\n", "NOOP \"unterminated\r\n",
                                     "NOOP\r\n"));
  EXPECT_EQ(out,
            "NO \"Line too long\"\r\n"
            "NO \"Unknown command or not allowed before login\"\r\n"
            "NO \"Unterminated string\"\r\n"
            "OK \"Done\"\r\n");
}

TEST_F(ManageSieveSessionTest, UnauthenticateReturnsToLogin) {
  std::string out = LoggedIn("UNAUTHENTICATE\r\nLISTSCRIPTS\r\nCAPABILITY\r\n");
  EXPECT_TRUE(absl::StartsWith(out,
                               "OK \"Unauthenticate completed\"\r\n"
                               "NO \"Unknown command or not allowed before "
                               "login\"\r\n"));
  EXPECT_FALSE(absl::StrContains(out, "OWNER"));
}

TEST_F(ManageSieveSessionTest, ShutdownSaysTryLater) {
  conn_.set_end_of_input(absl::StatusCode::kCancelled);
  std::string out = Run("");
  EXPECT_EQ(out, "BYE (TRYLATER) \"Server shutting down\"\r\n");
}

}  // namespace
}  // namespace mailroom::managesieve
