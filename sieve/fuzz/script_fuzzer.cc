// libFuzzer target: compiles arbitrary text as a Sieve script and, when it
// compiles, runs it on a small message with tight limits. Invariants are
// checked with __builtin_trap so any violation is a crash the fuzzer reports.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sieve/interpreter.h"
#include "sieve/script.h"
#include "sieve/testing/fake_message.h"

namespace {

constexpr char kMessage[] =
    "From: Coyote <coyote@desert.example>\r\n"
    "To: roadrunner+lists@acme.example, friends: a@b.example;\r\n"
    "Subject: =?utf-8?Q?caf=C3=A9?= [list] anvil\r\n"
    "Date: Tue, 1 Apr 1997 09:06:31 -0800\r\n"
    "Message-ID: <1@desert.example>\r\n"
    "\r\n"
    "Look, I'm sorry about the whole anvil thing.\r\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailroom::sieve;
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  Options options;
  options.limits.max_steps = 5000;
  options.limits.max_nesting_depth = 16;
  CompileError error;
  auto script = Compile(source, options.limits, &error);
  if (!script.ok()) {
    if (error.pos.line < 1 || error.pos.column < 1 || error.message.empty()) __builtin_trap();
    return 0;
  }
  testing::FakeMessage message(kMessage);
  message.envelope = {{"from", "coyote@desert.example"}, {"to", "roadrunner+lists@acme.example"}};
  testing::FakeEnvironment env;
  env.mailboxes = {"INBOX"};
  env.personal_scripts["self"] = std::string(source);
  env.items = {{"domain", "acme.example"}};
  const RunResult result = Run(**script, message, env, options);
  if (result.steps > options.limits.max_steps + 1) __builtin_trap();
  if (!result.status.ok()) {
    if (result.actions.size() != 1 || result.actions[0].kind != Action::Kind::kKeep) {
      __builtin_trap();
    }
    return 0;
  }
  if (result.actions.size() > static_cast<size_t>(options.limits.max_actions)) __builtin_trap();
  return 0;
}
