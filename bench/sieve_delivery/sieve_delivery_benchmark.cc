// Deliveries per second through the Sieve delivery path (sieve_delivery.h)
// over an in-memory store: the same corpus delivered to a user with no
// script, and to one whose active script is helpdesk50.sieve. The store
// costs next to nothing here, so the difference is the Sieve work: reading
// the scripts, the cached compile, parsing the message and running the
// rules.
//
//   bazel build //bench/sieve_delivery:sieve_delivery_benchmark
//   bazel-bin/bench/sieve_delivery/sieve_delivery_benchmark
//       --script=bench/sieve_delivery/helpdesk50.sieve   (one line)
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "protocols/lmtp/sieve_delivery.h"
#include "protocols/lmtp/sieve_fake_store.h"
#include "store/principal_issuer.h"

namespace mailroom::lmtp {
namespace {

std::string g_script_path = "bench/sieve_delivery/helpdesk50.sieve";

// A helpdesk's mail: subjects from the queues' words (or none), senders
// from customer and other domains, some replies and list mail, ~2 KiB of
// text each. Fixed seed: the same corpus every run.
std::vector<std::string> Corpus(int n) {
  const char* words[] = {"invoice", "login",  "tracking", "return",  "crash",
                         "quote",   "gdpr",   "reseller", "press",   "resume",
                         "hello",   "question", "urgent", "outage",  "refund"};
  std::mt19937 rng(42);
  std::vector<std::string> corpus;
  for (int i = 0; i < n; ++i) {
    std::string subject = absl::StrCat(i % 4 == 0 ? "Re: " : "",
                                       words[rng() % 15], " about order ",
                                       rng() % 100000, i % 3 == 0 ? " [#1234]" : "");
    std::string m = absl::StrCat(
        "From: Someone <user", rng() % 50, "@customer", rng() % 20, ".example>\r\n",
        "To: support@example.com\r\nSubject: ", subject, "\r\n",
        "Message-ID: <", i, ".", rng(), "@mail.example>\r\n",
        i % 10 == 0 ? "List-Id: <news.example>\r\n" : "",
        "Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n");
    for (int line = 0; line < 30; ++line) {
      absl::StrAppend(&m, "Dear support, ", words[rng() % 15],
                      " is what this line of the message is about, more or less.\r\n");
    }
    corpus.push_back(std::move(m));
  }
  return corpus;
}

store::Principal Host(std::string_view user) {
  return store::PrincipalIssuer::Admin(user);
}

void Deliver(benchmark::State& state, bool with_script) {
  testing::SieveStore store;
  (void)store.CreateUser("support", "x");
  if (with_script) {
    std::ifstream in(g_script_path);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().empty()) {
      state.SkipWithError("script not found; pass --script=PATH");
      return;
    }
    store.SetScript("support", "helpdesk", text.str(), true);
  }
  SieveSettings settings;
  ScriptCache cache(100);
  SieveDeliveryContext context;
  context.store = &store;
  context.principal = &Host;
  context.settings = &settings;
  context.cache = &cache;
  context.reverse_path = "sender@customer1.example";
  context.hostname = "mx.example.com";
  context.local_domains = {"example.com"};
  context.now = absl::Now();
  SieveRecipient recipient;
  recipient.address = "support@example.com";
  recipient.domain = "example.com";
  recipient.target.user = "support";
  std::vector<std::string> corpus = Corpus(200);
  size_t i = 0;
  for (auto _ : state) {
    std::vector<RecipientOutcome> out =
        DeliverWithSieve(context, {recipient}, corpus[i++ % corpus.size()]);
    if (!out[0].status.ok()) state.SkipWithError("delivery failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_NoScript(benchmark::State& state) { Deliver(state, false); }
void BM_Helpdesk50(benchmark::State& state) { Deliver(state, true); }
// Fixed iterations: the in-memory store keeps every delivered copy.
BENCHMARK(BM_NoScript)->Iterations(20000)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_Helpdesk50)->Iterations(20000)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace
}  // namespace mailroom::lmtp

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--script=", 0) == 0) mailroom::lmtp::g_script_path = arg.substr(9);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
