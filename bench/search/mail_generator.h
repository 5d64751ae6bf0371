// A deterministic generator of synthetic mail for search benchmarks and
// tests: realistic (log-normal) sizes, a Zipf-distributed vocabulary with
// accented, Cyrillic, Greek and CJK words, several charsets and transfer
// encodings, RFC 2047 encoded-word headers, HTML alternatives and
// attachments (some with RFC 2231 file names). The same seed always yields
// the same messages.
//
// Thread-safety: not thread-safe (one random engine per generator).
#ifndef MAILROOM_BENCH_SEARCH_MAIL_GENERATOR_H_
#define MAILROOM_BENCH_SEARCH_MAIL_GENERATOR_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mailroom::bench {

struct MailGeneratorOptions {
  uint64_t seed = 1;
  int vocabulary_size = 50000;
  double zipf_exponent = 1.07;
  // Median body length in words; sizes are log-normal around it.
  double median_words = 180;
  double size_sigma = 1.0;
  int max_words = 20000;
  double html_share = 0.3;
  double attachment_share = 0.12;
  double max_attachment_kb = 2000;
  double non_ascii_share = 0.25;  // messages written in a non-ASCII language
};

class MailGenerator {
 public:
  explicit MailGenerator(const MailGeneratorOptions& options = {});

  // The next message, CRLF line ends.
  std::string Next();

  // Vocabulary, most frequent first.
  const std::vector<std::string>& vocabulary() const { return words_; }
  // A word drawn from the Zipf distribution.
  const std::string& ZipfWord();

 private:
  std::string Sentence(int words, bool capitalise);
  std::string Text(int words);
  std::string Address(bool with_name);
  std::string Header(const std::string& name, const std::string& utf8_value);

  MailGeneratorOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::string> words_;
  std::vector<double> cdf_;
  uint64_t count_ = 0;
};

// Encoders the generator uses; exposed for tests.
std::string Base64(const std::string& bytes, bool wrap_lines);
std::string QuotedPrintable(const std::string& bytes);
// UTF-8 to ISO-8859-1; false when a character does not fit.
bool Utf8ToLatin1(const std::string& utf8, std::string* latin1);

}  // namespace mailroom::bench

#endif  // MAILROOM_BENCH_SEARCH_MAIL_GENERATOR_H_
