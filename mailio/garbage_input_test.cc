// Every parser on random and truncated input: errors, never a crash.
#include <random>
#include <sstream>
#include <string>

#include "base/mutf7.h"
#include "gtest/gtest.h"
#include "mailio/maildir_metadata.h"
#include "mailio/maildir_names.h"
#include "mailio/mbox_metadata.h"
#include "mailio/mbox_reader.h"

namespace mailroom::mailio {
namespace {

std::string RandomText(std::mt19937& random, size_t max_size) {
  // Mostly the bytes the formats care about, some anything.
  static const std::string kAlphabet = "&-+,AZaz09 :.\t\r\n>From V3N1S=U";
  std::string text(random() % (max_size + 1), '\0');
  for (char& c : text) {
    c = random() % 4 == 0 ? static_cast<char>(random() % 256)
                          : kAlphabet[random() % kAlphabet.size()];
  }
  return text;
}

TEST(GarbageInput, ParsersNeverCrash) {
  std::mt19937 random(20261207);
  for (int i = 0; i < 20000; ++i) {
    const std::string text = RandomText(random, 64);
    (void)base::DecodeMutf7(text, base::Mutf7Decoding::kLenient);
    (void)base::DecodeMutf7(text, base::Mutf7Decoding::kStrict);
    (void)base::EncodeMutf7(text);
    (void)MailboxFromFolderDir(text);
    (void)MailboxFromFolderDir("." + text);
    (void)FolderDirFromMailbox(text);
    (void)SplitMaildirFileName(text);
    int ignored = 0;
    (void)FlagsFromLetters(text, KeywordLetters(), &ignored);
    (void)ParseDovecotKeywords(text);
    (void)ParseDovecotUidList(text);
    (void)ParseDovecotUidList("3 " + text);
    (void)ParseDovecotUidList("3 V1 N2\n" + text);
    (void)ParseCourierUidDb("1 1 2\n" + text);
    (void)ParseMbsyncUidValidity(text);
    (void)MbsyncUidOf(text);
    (void)ParseSubscriptions(text);
    (void)ParseSubscriptions("V\t2\n" + text);
    std::string message = text;
    (void)ExtractMboxMetadata(&message);
    std::istringstream in("From x Sat Jan  3 01:05:34 1996\n" + text);
    MboxReader reader(&in);
    while (reader.Next().has_value()) {
    }
    (void)ParseFromLineDate(text);
  }
}

}  // namespace
}  // namespace mailroom::mailio
