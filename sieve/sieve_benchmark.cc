// Parse and run of a 50-rule helpdesk-like script against one message.
//   bazel run -c opt //sieve:sieve_benchmark
// Reports runs per second for compile only, run only, and both.
#include <string>

#include "benchmark/benchmark.h"
#include "sieve/interpreter.h"
#include "sieve/script.h"
#include "sieve/testing/fake_message.h"

namespace mailroom::sieve {
namespace {

// 50 rules of the kinds a helpdesk writes: routing by customer address and
// domain, keyword triage on the subject, flags, list detection, a variable
// capture of a ticket number, one body check. The test message matches
// only late rules, so nearly every rule is evaluated.
std::string HelpdeskScript() {
  std::string s =
      "require [\"fileinto\", \"imap4flags\", \"variables\", \"body\", \"relational\",\n"
      "         \"comparator-i;ascii-numeric\", \"envelope\", \"subaddress\", \"copy\"];\n";
  for (int i = 0; i < 20; ++i) {
    s += "if address :is \"from\" \"customer" + std::to_string(i) +
         "@bigcorp.example\" { fileinto \"Customers/BigCorp/" + std::to_string(i) +
         "\"; stop; }\n";
  }
  for (int i = 0; i < 10; ++i) {
    s += "if address :domain :is [\"from\", \"sender\"] \"partner" + std::to_string(i) +
         ".example\" { fileinto \"Partners/" + std::to_string(i) + "\"; }\n";
  }
  const char* keywords[] = {"outage", "down", "refund", "invoice", "password",
                            "locked", "security", "breach", "cancel", "lawyer"};
  for (const char* k : keywords) {
    s += std::string("if header :contains \"subject\" \"") + k +
         "\" { addflag \"\\\\Flagged\"; fileinto :copy \"Triage/" + k + "\"; }\n";
  }
  s += "if exists \"list-id\" { fileinto \"Lists\"; stop; }\n"
       "if header :value \"ge\" :comparator \"i;ascii-numeric\" \"x-spam-score\" \"8\" "
       "{ fileinto \"Junk\"; stop; }\n"
       "if envelope :detail \"to\" \"vip\" { addflag \"$VIP\"; }\n"
       "if anyof (header :contains \"x-priority\" \"1\", header :is \"importance\" \"high\") "
       "{ addflag \"$Urgent\"; }\n"
       "if header :matches \"subject\" \"*[Ticket #*]*\" { set \"ticket\" \"${2}\"; }\n"
       "if string :is \"${ticket}\" \"\" { addflag \"$New\"; }\n"
       "if body :text :contains \"unsubscribe\" { fileinto \"Newsletters\"; stop; }\n"
       "if size :over 5M { fileinto \"Large\"; }\n"
       "if header :contains \"subject\" \"Ticket\" { fileinto \"Tickets/${ticket}\"; }\n";
  s += "keep;\n";
  return s;
}

constexpr char kMessage[] =
    "From: Jane Customer <jane@smallshop.example>\r\n"
    "To: support+vip@helpdesk.example\r\n"
    "Subject: Re: printer jammed again [Ticket #48213] please help\r\n"
    "Date: Mon, 7 Dec 2026 09:15:00 +0100\r\n"
    "Message-ID: <abc@smallshop.example>\r\n"
    "X-Spam-Score: 2\r\n"
    "\r\n"
    "Hello,\r\nthe printer on floor 3 is jammed again. It shows error E-52.\r\n"
    "We tried turning it off and on. Please send someone.\r\n\r\nJane\r\n";

testing::FakeMessage MakeMessage() {
  testing::FakeMessage m(kMessage);
  m.envelope = {{"from", "jane@smallshop.example"}, {"to", "support+vip@helpdesk.example"}};
  return m;
}

void BM_Compile(benchmark::State& state) {
  const std::string script = HelpdeskScript();
  for (auto _ : state) {
    auto compiled = Compile(script, Limits());
    benchmark::DoNotOptimize(compiled);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Compile);

void BM_Run(benchmark::State& state) {
  auto compiled = Compile(HelpdeskScript(), Limits());
  if (!compiled.ok()) {
    state.SkipWithError("script does not compile");
    return;
  }
  const testing::FakeMessage message = MakeMessage();
  testing::FakeEnvironment env;
  for (auto _ : state) {
    RunResult r = Run(**compiled, message, env);
    if (!r.status.ok() || r.actions.size() != 2) state.SkipWithError("unexpected result");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Run);

void BM_CompileAndRun(benchmark::State& state) {
  const std::string script = HelpdeskScript();
  const testing::FakeMessage message = MakeMessage();
  testing::FakeEnvironment env;
  for (auto _ : state) {
    auto compiled = Compile(script, Limits());
    RunResult r = Run(**compiled, message, env);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompileAndRun);

}  // namespace
}  // namespace mailroom::sieve
