// Parser and mailbox-view micro-benchmarks: the per-command CPU cost the
// IMAP front-end adds on top of the store.
#include <string>

#include "base/mutf7.h"
#include "benchmark/benchmark.h"
#include "protocols/imap/command_parser.h"
#include "protocols/imap/mailbox_view.h"
#include "protocols/imap/search_parser.h"

namespace mailroom::imap {
namespace {

void BM_ParseFetch(benchmark::State& state) {
  const std::string cmd =
      "a1 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE "
      "BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID)] "
      "BODYSTRUCTURE MODSEQ) (CHANGEDSINCE 12345)";
  for (auto _ : state) benchmark::DoNotOptimize(ParseCommand(cmd));
}
BENCHMARK(BM_ParseFetch);

void BM_ParseSearch(benchmark::State& state) {
  const std::string cmd =
      "a1 UID SEARCH RETURN (MIN MAX COUNT) CHARSET UTF-8 OR (FROM alice "
      "SINCE 1-Feb-2020) (SUBJECT \"quarterly report\" NOT SEEN) UNDELETED "
      "LARGER 1000";
  for (auto _ : state) benchmark::DoNotOptimize(ParseCommand(cmd));
}
BENCHMARK(BM_ParseSearch);

void BM_ParseAppendLiteral(benchmark::State& state) {
  const std::string body(static_cast<size_t>(state.range(0)), 'x');
  const std::string cmd = "a1 APPEND INBOX (\\Seen) {" +
                          std::to_string(body.size()) + "}\r\n" + body;
  for (auto _ : state) benchmark::DoNotOptimize(ParseCommand(cmd));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(cmd.size()));
}
BENCHMARK(BM_ParseAppendLiteral)->Arg(4 << 10)->Arg(1 << 20);

void BM_Utf7RoundTrip(benchmark::State& state) {
  const std::string name = "Archiv/2024/Entw\xc3\xbc rfe/\xe6\x97\xa5\xe6\x9c\xac";
  for (auto _ : state) {
    benchmark::DoNotOptimize(base::DecodeMutf7(
        base::EncodeMutf7(name).value(), base::Mutf7Decoding::kStrict));
  }
}
BENCHMARK(BM_Utf7RoundTrip);

MailboxView MakeView(uint32_t n) {
  store::MailboxSnapshot s;
  s.status.uidvalidity = 1;
  for (uint32_t i = 1; i <= n; ++i) {
    store::MessageMeta m;
    m.uid = i * 2;  // gaps, as after expunges
    s.messages.push_back(m);
  }
  return MailboxView(s);
}

void BM_ViewSelectUidRange(benchmark::State& state) {
  const MailboxView view = MakeView(static_cast<uint32_t>(state.range(0)));
  const SequenceSet set = *ParseSequenceSet("1000:5000,90000:*");
  for (auto _ : state) benchmark::DoNotOptimize(view.Select(set, true, {}));
}
BENCHMARK(BM_ViewSelectUidRange)->Arg(100000)->Arg(1000000);

void BM_TranslateSequenceSearch(benchmark::State& state) {
  const MailboxView view = MakeView(static_cast<uint32_t>(state.range(0)));
  const std::vector<store::Uid> uids = view.Uids();
  Lexer lx("1:* UNSEEN");
  const ImapSearchKey key = *ParseSearchKeys(lx, {});
  for (auto _ : state) {
    benchmark::DoNotOptimize(TranslateSearchKey(key, uids, {}));
  }
}
BENCHMARK(BM_TranslateSequenceSearch)->Arg(100000);

}  // namespace
}  // namespace mailroom::imap

BENCHMARK_MAIN();
