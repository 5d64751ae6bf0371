// Writes N messages from the search benchmark's generator to an mbox file
// and/or a maildir, so that two servers can be loaded with the same mail.
//
//   write_mail --messages=20000 --seed=1 --mbox=F --maildir=D --vocabulary=V
//
// Both outputs use LF line ends (the on-disk convention of both formats).
// The internal date of message n is its Date: header (the generator's
// clock): the mbox "From " line carries it and each maildir file gets it as
// its modification time, which is what Dovecot reads as the internal date.
// Maildir files are named "<time>.M<n>P1.gen:2," in cur/, so their order
// by name is the generation order. The vocabulary file lists the
// generator's words, most frequent first, one per line, for choosing query
// terms.
#include <sys/stat.h>
#include <sys/time.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bench/search/mail_generator.h"

ABSL_FLAG(int, messages, 20000, "messages to write");
ABSL_FLAG(uint64_t, seed, 1, "generator seed");
ABSL_FLAG(std::string, mbox, "", "mbox file to write (none when empty)");
ABSL_FLAG(std::string, maildir, "",
          "maildir to write into (cur/, new/, tmp/; none when empty)");
ABSL_FLAG(std::string, vocabulary, "",
          "file for the vocabulary, most frequent first (none when empty)");

namespace mailroom::bench {
namespace {

namespace fs = std::filesystem;

// The generator dates message n at this epoch plus n * 613 seconds (see
// MailGenerator::Next); kept in step with it and checked against the
// Date: header below.
constexpr time_t kEpoch = 1577836800;
constexpr time_t kStep = 613;

std::string ToLf(const std::string& crlf) {
  std::string out;
  out.reserve(crlf.size());
  for (size_t i = 0; i < crlf.size(); ++i) {
    if (crlf[i] == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n') continue;
    out.push_back(crlf[i]);
  }
  return out;
}

// mboxrd quoting: a body line of the form ">*From " gains one more '>'.
std::string MboxQuote(const std::string& lf_message) {
  std::string out;
  out.reserve(lf_message.size() + 16);
  size_t start = 0;
  while (start < lf_message.size()) {
    size_t end = lf_message.find('\n', start);
    if (end == std::string::npos) end = lf_message.size() - 1;
    const absl::string_view line(lf_message.data() + start, end - start + 1);
    size_t quotes = 0;
    while (quotes < line.size() && line[quotes] == '>') ++quotes;
    if (absl::StartsWith(line.substr(quotes), "From ")) out.push_back('>');
    out.append(line.data(), line.size());
    start = end + 1;
  }
  return out;
}

std::string AsctimeUtc(time_t when) {
  struct tm tm_utc;
  gmtime_r(&when, &tm_utc);
  char buffer[64];
  strftime(buffer, sizeof(buffer), "%a %b %e %H:%M:%S %Y", &tm_utc);
  return buffer;
}

std::string DateHeader(time_t when) {
  struct tm tm_utc;
  gmtime_r(&when, &tm_utc);
  char buffer[64];
  strftime(buffer, sizeof(buffer), "Date: %a, %d %b %Y %H:%M:%S +0000",
           &tm_utc);
  return buffer;
}

int Run() {
  const int messages = absl::GetFlag(FLAGS_messages);
  const std::string mbox_path = absl::GetFlag(FLAGS_mbox);
  const std::string maildir = absl::GetFlag(FLAGS_maildir);
  MailGeneratorOptions options;
  options.seed = absl::GetFlag(FLAGS_seed);
  MailGenerator generator(options);

  if (!absl::GetFlag(FLAGS_vocabulary).empty()) {
    std::ofstream vocabulary(absl::GetFlag(FLAGS_vocabulary),
                             std::ios::binary);
    for (const std::string& word : generator.vocabulary()) {
      vocabulary << word << '\n';
    }
    if (!vocabulary) {
      std::cerr << "cannot write " << absl::GetFlag(FLAGS_vocabulary) << "\n";
      return 1;
    }
  }
  std::ofstream mbox;
  if (!mbox_path.empty()) {
    mbox.open(mbox_path, std::ios::binary | std::ios::trunc);
    if (!mbox) {
      std::cerr << "cannot write " << mbox_path << "\n";
      return 1;
    }
  }
  if (!maildir.empty()) {
    for (const char* sub : {"cur", "new", "tmp"}) {
      fs::create_directories(fs::path(maildir) / sub);
    }
  }

  uint64_t raw_bytes = 0;
  for (int n = 1; n <= messages; ++n) {
    const std::string message = generator.Next();
    raw_bytes += message.size();
    const time_t when = kEpoch + static_cast<time_t>(n) * kStep;
    if (n == 1 && !absl::StrContains(message, DateHeader(when))) {
      std::cerr << "the generator's clock changed: update kEpoch/kStep\n";
      return 1;
    }
    const std::string lf = ToLf(message);
    if (mbox.is_open()) {
      mbox << "From gen@gen.example " << AsctimeUtc(when) << '\n'
           << MboxQuote(lf) << '\n';
    }
    if (!maildir.empty()) {
      const fs::path path = fs::path(maildir) / "cur" /
                            absl::StrCat(when, ".M", n, "P1.gen:2,");
      std::ofstream file(path, std::ios::binary | std::ios::trunc);
      file << lf;
      file.close();
      if (!file) {
        std::cerr << "cannot write " << path << "\n";
        return 1;
      }
      const struct timeval times[2] = {{when, 0}, {when, 0}};
      if (utimes(path.c_str(), times) != 0) {
        std::perror(path.c_str());
        return 1;
      }
    }
  }
  if (mbox.is_open()) {
    mbox.close();
    if (!mbox) {
      std::cerr << "cannot write " << mbox_path << "\n";
      return 1;
    }
  }
  std::cout << "messages " << messages << " raw_bytes " << raw_bytes << "\n";
  return 0;
}

}  // namespace
}  // namespace mailroom::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return mailroom::bench::Run();
}
