// Per-session cost of NOTIFY's event filter: a session watching 1,000
// mailboxes is offered every commit on the server (it subscribes to all
// mailboxes), so this is what each commit costs each NOTIFY session.
#include <cstdint>

#include "benchmark/benchmark.h"
#include "protocols/imap/notify_filter.h"

namespace mailroom::imap {
namespace {

constexpr store::MailboxId kWatched = 1000;

NotifyFilter::Interest ThousandMailboxes() {
  NotifyFilter::Interest interest;
  for (store::MailboxId id = 1; id <= kWatched; ++id) {
    interest.message_mailboxes.insert(id * 7);
  }
  interest.mailbox_list = true;
  interest.user = "alice";
  return interest;
}

// Events for mailboxes the session does not watch (other users' mail): the
// common case on a busy server.
void BM_OfferUnwatched(benchmark::State& state) {
  NotifyFilter filter(1u << 30);
  filter.SetInterest(ThousandMailboxes());
  store::MailboxId id = 1;
  for (auto _ : state) {
    store::ChangeEvent e{id * 7 + 1, "bob", id, store::ChangeEvent::kMessages};
    benchmark::DoNotOptimize(filter.Offer(e));
    id = id % 100000 + 1;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OfferUnwatched);

// Events for watched mailboxes, drained every `range(0)` events as the
// session would after waking.
void BM_OfferWatchedAndTake(benchmark::State& state) {
  NotifyFilter filter(1u << 30);
  filter.SetInterest(ThousandMailboxes());
  const int64_t batch = state.range(0);
  store::MailboxId id = 1;
  int64_t n = 0;
  for (auto _ : state) {
    store::ChangeEvent e{id * 7, "alice", id, store::ChangeEvent::kMessages};
    benchmark::DoNotOptimize(filter.Offer(e));
    id = id % kWatched + 1;
    if (++n == batch) {
      benchmark::DoNotOptimize(filter.Take());
      n = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OfferWatchedAndTake)->Arg(1)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace mailroom::imap
