// FETCH of ENVELOPE, BODY and BODYSTRUCTURE: batched structure reads and
// the per-body text cache (protocols/imap/structure_text_cache.h).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "protocols/imap/structure_text_cache.h"
#include "tests/imap/session_fixture.h"

namespace mailroom::imap {
namespace {

// A body no other test stores (the text cache is one per process).
std::string UniqueMessage(int i) {
  static int serial = 0;
  return absl::StrCat(
      "From: Bob <bob@example.com>\r\nSubject: cache ", i, " ", ++serial,
      " ", getpid(), "\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
      "Content-Type: text/plain\r\n\r\nhello ", i,
      "\r\n--XX\r\nContent-Type: application/pdf\r\n\r\nPDF\r\n--XX--\r\n");
}

// The untagged FETCH lines of `lines`.
std::vector<std::string> FetchLines(const std::vector<std::string>& lines,
                                    absl::string_view item) {
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    if (absl::StartsWith(l, "* ") && absl::StrContains(l, " FETCH (") &&
        absl::StrContains(l, item)) {
      out.push_back(l);
    }
  }
  return out;
}

TEST_F(SessionTest, RepeatedStructureFetchesAreAnsweredFromTheTextCache) {
  constexpr int kMessages = 150;  // several batches when bodies are read
  for (int i = 0; i < kMessages; ++i) Append(UniqueMessage(i));
  StructureTextCache& cache = StructureTextCache::Global();

  FakeConnection first;
  const uint64_t hits_before = cache.hits();
  std::vector<std::string> cold =
      FetchLines(Run(first, absl::StrCat(kLogin, "a1 EXAMINE INBOX\r\n",
                                         "a2 FETCH 1:* (BODYSTRUCTURE)\r\n")),
                 "BODYSTRUCTURE (");
  ASSERT_EQ(cold.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(cache.hits(), hits_before);  // nothing of these was cached
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_TRUE(absl::StartsWith(cold[i], absl::StrCat("* ", i + 1, " FETCH (")));
    EXPECT_TRUE(absl::StrContains(cold[i], "(\"application\" \"pdf\""));
  }

  // Another session (a second device): every text comes from the cache.
  FakeConnection second;
  std::vector<std::string> warm =
      FetchLines(Run(second, absl::StrCat(kLogin, "a1 EXAMINE INBOX\r\n",
                                          "a2 FETCH 1:* (BODYSTRUCTURE)\r\n")),
                 "BODYSTRUCTURE (");
  EXPECT_EQ(warm, cold);
  EXPECT_EQ(cache.hits(), hits_before + kMessages);

  // ENVELOPE with the items the view does not keep, twice.
  FakeConnection third;
  const uint64_t hits_envelope = cache.hits();
  std::vector<std::string> lines = Run(
      third, absl::StrCat(kLogin, "a1 EXAMINE INBOX\r\n",
                          "a2 FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE)\r\n",
                          "a3 FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE)\r\n"));
  std::vector<std::string> envelopes = FetchLines(lines, "ENVELOPE (");
  ASSERT_EQ(envelopes.size(), 2u * kMessages);
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(envelopes[i], envelopes[kMessages + i]);
    EXPECT_TRUE(absl::StrContains(envelopes[i], absl::StrCat("\"cache ", i, " ")))
        << envelopes[i];
  }
  EXPECT_EQ(cache.hits(), hits_envelope + kMessages);
}

// What each Flush() of `conn` sent, in order.
std::vector<std::string> FlushedChunks(const FakeConnection& conn) {
  std::vector<std::string> chunks;
  size_t offset = 0;
  for (size_t size : conn.flushes()) {
    chunks.push_back(conn.output().substr(offset, size));
    offset += size;
  }
  return chunks;
}

int CountFetchResponses(absl::string_view chunk) {
  int n = 0;
  for (size_t at = chunk.find(" FETCH ("); at != absl::string_view::npos;
       at = chunk.find(" FETCH (", at + 1)) {
    ++n;
  }
  return n;
}

TEST_F(SessionTest, ALongFetchIsSentInPiecesWhileTheRestIsLoaded) {
  // A FETCH 1:* whose whole reply is far below the output threshold: its
  // first responses still go out before the later messages are loaded, so
  // the client reads them meanwhile instead of waiting for the whole reply.
  constexpr int kMessages = 300;
  for (int i = 0; i < kMessages; ++i) Append(UniqueMessage(i));
  for (const char* items : {"(BODYSTRUCTURE)", "(FLAGS RFC822.SIZE ENVELOPE)",
                            "(BODY.PEEK[])"}) {
    SCOPED_TRACE(items);
    FakeConnection conn;
    Run(conn, absl::StrCat(kLogin, "a1 EXAMINE INBOX\r\n", "a2 FETCH 1:* ",
                           items, "\r\na3 LOGOUT\r\n"));
    std::vector<std::string> chunks = FlushedChunks(conn);
    int sent = 0;
    int pieces = 0;
    for (const std::string& chunk : chunks) {
      const int n = CountFetchResponses(chunk);
      if (n == 0) continue;
      ++pieces;
      // The first piece leaves after a small first batch.
      if (sent == 0) {
        EXPECT_LE(n, 32) << chunk.substr(0, 200);
      }
      sent += n;
      // The tagged reply comes only after the last response.
      EXPECT_EQ(absl::StrContains(chunk, "a2 OK"), sent == kMessages);
    }
    EXPECT_EQ(sent, kMessages);
    EXPECT_GE(pieces, 4);
  }
}

TEST_F(SessionTest, CachedTextsAndSectionsTogether) {
  Append(UniqueMessage(1));
  Append(UniqueMessage(2));
  FakeConnection conn;
  std::vector<std::string> lines = Run(
      conn, absl::StrCat(kLogin, "a1 EXAMINE INBOX\r\n",
                         "a2 FETCH 1:2 (BODY)\r\n",
                         "a3 FETCH 1:2 (BODY BODY.PEEK[2])\r\n"));
  const std::string out = conn.output();
  // The cached BODY text goes with the section read from the store.
  EXPECT_TRUE(absl::StrContains(
      out, "* 2 FETCH (BODY ((\"text\" \"plain\" (\"charset\" \"us-ascii\")"))
      << out;
  EXPECT_TRUE(absl::StrContains(out, " BODY[2] {3}\r\nPDF)\r\n")) << out;
  EXPECT_NE(Find(lines, "a3 OK"), "");
}

TEST_F(SessionTest, RepeatedHeaderFetchesAreAnsweredFromTheCachedHeader) {
  constexpr int kMessages = 80;
  for (int i = 0; i < kMessages; ++i) Append(UniqueMessage(i));
  StructureTextCache& cache = StructureTextCache::Global();
  const std::string fetch = absl::StrCat(
      kLogin, "a1 EXAMINE INBOX\r\n",
      "a2 FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)] "
      "BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT)]<0.10> RFC822.HEADER)\r\n");

  FakeConnection first;
  const uint64_t hits_before = cache.hits();
  std::vector<std::string> cold = Run(first, fetch);
  EXPECT_EQ(cache.hits(), hits_before);  // nothing of these was cached

  // A second device: every header comes from the cache, one hit a message
  // however many header items it asks for.
  FakeConnection second;
  std::vector<std::string> warm = Run(second, fetch);
  EXPECT_EQ(cache.hits(), hits_before + kMessages);
  EXPECT_EQ(second.output().substr(second.output().find("* 1 FETCH")),
            first.output().substr(first.output().find("* 1 FETCH")));
  const std::string out = second.output();
  EXPECT_TRUE(absl::StrContains(
      out, absl::StrCat("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {")))
      << out;
  EXPECT_TRUE(absl::StrContains(
      out, "BODY[HEADER.FIELDS.NOT (SUBJECT)]<0> {10}\r\nFrom: Bob  "
           "RFC822.HEADER {"))
      << out;
  EXPECT_NE(Find(warm, "a2 OK"), "");
}

TEST_F(SessionTest, HeaderFieldsAreServedFromTheHeaderBytes) {
  // The body holds header-like lines: none may show up.
  Append(
      "Message-ID: <one@example.com>\r\nSubject: first\r\n"
      "X-Folded: a\r\n b\r\n\r\nSubject: not a header\r\n"
      "Message-ID: <fake@example.com>\r\n");
  Append(
      "Subject: outer\r\nContent-Type: message/rfc822\r\n\r\n"
      "Subject: inner\nMessage-ID: <inner@example.com>\n\ninner body\n");
  FakeConnection conn;
  std::vector<std::string> lines = Run(
      conn,
      absl::StrCat(
          kLogin, "a1 EXAMINE INBOX\r\n",
          "a2 FETCH 1 (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])\r\n",
          "a3 FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (MESSAGE-ID)]<0.9>)\r\n",
          "a4 FETCH 2 (BODY.PEEK[1.HEADER.FIELDS (MESSAGE-ID SUBJECT)] "
          "BODY.PEEK[TEXT])\r\n",
          "a5 FETCH 1 (BODY.PEEK[HEADER.FIELDS (X-FOLDED)] BODY.PEEK[1])\r\n",
          "a6 FETCH 1 (BODY.PEEK[2.HEADER.FIELDS (SUBJECT)])\r\n"));
  const std::string out = conn.output();
  EXPECT_TRUE(absl::StrContains(
      out, "* 1 FETCH (BODY[HEADER.FIELDS (MESSAGE-ID)] "
           "{33}\r\nMessage-ID: <one@example.com>\r\n\r\n)\r\n"))
      << out;
  EXPECT_TRUE(absl::StrContains(
      out, "* 1 FETCH (BODY[HEADER.FIELDS.NOT (MESSAGE-ID)]<0> "
           "{9}\r\nSubject: )\r\n"))
      << out;
  // Inside the message/rfc822 part, stored with bare LF: CRLF on the wire.
  EXPECT_TRUE(absl::StrContains(
      out, "* 2 FETCH (BODY[1.HEADER.FIELDS (MESSAGE-ID SUBJECT)] {51}\r\n"
           "Subject: inner\r\nMessage-ID: <inner@example.com>\r\n\r\n "
           "BODY[TEXT] {"))
      << out;
  EXPECT_TRUE(absl::StrContains(
      out, "* 1 FETCH (BODY[HEADER.FIELDS (X-FOLDED)] {19}\r\n"
           "X-Folded: a\r\n b\r\n\r\n BODY[1] {"))
      << out;
  // A part that is not a message has no header fields: NIL, not BAD.
  EXPECT_TRUE(absl::StrContains(
      out, "* 1 FETCH (BODY[2.HEADER.FIELDS (SUBJECT)] NIL)"))
      << out;
  EXPECT_NE(Find(lines, "a6 OK"), "");
}

}  // namespace
}  // namespace mailroom::imap
