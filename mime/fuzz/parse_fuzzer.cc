// libFuzzer target: any bytes through the parser and everything built on
// it. Checks the invariants the rest of the server relies on (spans tile the
// input, the structure cache round-trips, IMAP renderings are well formed
// enough to produce) and lets the sanitizers find memory errors.
// Fuzz with scripts/fuzz.sh mime/fuzz/parse_fuzzer (clang); Bazel replays
// the seed corpus as parse_fuzzer_seeds_test (gcc).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mime/imap.h"
#include "mime/message.h"
#include "mime/testing/tiling.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "invariant failed: %s\n", what);
    abort();
  }
}

void VisitSections(const Message& m, std::string_view raw, const Part& part,
                   std::vector<uint32_t>* path, int budget) {
  if (budget <= 0) return;
  for (SectionSpec::Text text :
       {SectionSpec::Text::kAll, SectionSpec::Text::kMime,
        SectionSpec::Text::kHeader, SectionSpec::Text::kText,
        SectionSpec::Text::kHeaderFields}) {
    SectionSpec spec;
    spec.part = *path;
    spec.text = text;
    if (text == SectionSpec::Text::kMime && path->empty()) continue;
    if (text == SectionSpec::Text::kHeaderFields) spec.fields = {"subject"};
    (void)FetchSection(m, raw, spec);
  }
  (void)FetchBinary(m, raw, *path);
  const std::vector<Part>* children = &part.children;
  if (part.is_message() && !part.children.empty()) {
    children = &part.children.front().children;
  }
  for (size_t i = 0; i < children->size() && i < 8; ++i) {
    path->push_back(static_cast<uint32_t>(i + 1));
    VisitSections(m, raw, (*children)[i], path, budget - 1);
    path->pop_back();
  }
}

}  // namespace
}  // namespace mailroom::mime

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailroom::mime;
  std::string_view raw(reinterpret_cast<const char*>(data), size);

  Limits small;
  small.max_depth = 5;
  small.max_parts = 20;
  small.max_header_fields = 10;
  small.max_header_bytes = 200;
  for (const Limits& limits : {Limits(), small}) {
    Message m = Parse(raw, limits);
    Check(testing::CheckTiling(m).empty(), "spans tile the message");
    std::string cached = Serialize(m);
    std::optional<Message> back = Deserialize(cached);
    Check(back.has_value() && Serialize(*back) == cached, "cache round trip");
    (void)BodyStructure(m, raw, true);
    (void)BodyStructure(m, raw, false);
    (void)Envelope(m);
    std::vector<uint32_t> path;
    VisitSections(m, raw, m.root, &path, 6);
    ExtractedText text = ExtractText(m, raw);
    for (const auto& [name, value] : text.headers) {
      (void)ParseAddressList(value);
      (void)ParseDate(value);
      (void)BaseSubject(value);
    }
    (void)SearchFold(text.body.substr(0, 4096));
  }
  // Raw input as header values and as cache bytes.
  std::string_view head = raw.substr(0, 2048);
  (void)DecodeHeaderValue(head);
  (void)ParseAddressList(head);
  (void)ParseDate(head);
  (void)BaseSubject(head);
  (void)HtmlToText(raw);
  (void)Deserialize(raw);
  (void)ParseSectionSpec(head);
  return 0;
}
