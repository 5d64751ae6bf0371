#include "server/deflate_stream.h"

#include <zlib.h>

#include <string>

#include "gtest/gtest.h"

namespace mailroom::server {
namespace {

// The peer's side: raw deflate with a sync flush, as an IMAP client sends.
std::string PeerCompress(z_stream& z, const std::string& plain) {
  std::string out(plain.size() + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_SYNC_FLUSH), Z_OK);
  out.resize(out.size() - z.avail_out);
  return out;
}

std::string PeerInflate(z_stream& z, const std::string& compressed) {
  std::string out(1 << 22, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_SYNC_FLUSH);
  EXPECT_TRUE(rc == Z_OK || rc == Z_BUF_ERROR) << rc;
  EXPECT_EQ(z.avail_in, 0u);
  out.resize(out.size() - z.avail_out);
  return out;
}

std::string DrainAll(DeflateStream& s, size_t step) {
  std::string out;
  std::string buf(step, '\0');
  while (s.HasPendingInput()) {
    absl::StatusOr<size_t> n = s.Inflate(buf.data(), buf.size());
    EXPECT_TRUE(n.ok()) << n.status();
    if (!n.ok() || *n == 0) break;
    out.append(buf.data(), *n);
  }
  return out;
}

TEST(DeflateStreamTest, EachCompressIsDecodableAtOnce) {
  auto s = DeflateStream::Create({});
  ASSERT_TRUE(s.ok()) << s.status();
  z_stream peer{};
  ASSERT_EQ(inflateInit2(&peer, -15), Z_OK);
  for (const std::string& line :
       {std::string("* OK [CAPABILITY IMAP4rev1] ready\r\n"),
        std::string("a1 OK done\r\n"),
        std::string(100000, 'x') + "\r\n"}) {
    std::string wire;
    ASSERT_TRUE((*s)->Compress(line, &wire).ok());
    // Nothing is held back: the peer decodes the whole line now.
    EXPECT_EQ(PeerInflate(peer, wire), line);
  }
  EXPECT_GT((*s)->plain_out(), (*s)->compressed_out());
  inflateEnd(&peer);
}

TEST(DeflateStreamTest, InflatesInBoundedSteps) {
  auto s = DeflateStream::Create({});
  ASSERT_TRUE(s.ok());
  z_stream peer{};
  ASSERT_EQ(deflateInit2(&peer, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY),
            Z_OK);
  // A bomb: 8 MiB of one byte compresses to a few KiB.
  const std::string plain(8 << 20, 'A');
  const std::string wire = PeerCompress(peer, plain);
  ASSERT_LT(wire.size(), 16u * 1024);
  (*s)->AddInput(wire);
  std::string buf(4096, '\0');
  absl::StatusOr<size_t> n = (*s)->Inflate(buf.data(), buf.size());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4096u);  // never more than asked for
  EXPECT_TRUE((*s)->HasPendingInput());
  const std::string rest = DrainAll(**s, 65536);
  EXPECT_EQ(4096 + rest.size(), plain.size());
  EXPECT_FALSE((*s)->HasPendingInput());
  deflateEnd(&peer);
}

TEST(DeflateStreamTest, SplitInputJoinsUp) {
  auto s = DeflateStream::Create({});
  ASSERT_TRUE(s.ok());
  z_stream peer{};
  ASSERT_EQ(deflateInit2(&peer, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  const std::string plain = "a2 LOGIN alice secret\r\na3 SELECT INBOX\r\n";
  const std::string wire = PeerCompress(peer, plain);
  std::string got;
  for (char c : wire) {
    (*s)->AddInput(std::string_view(&c, 1));
    got += DrainAll(**s, 7);
  }
  EXPECT_EQ(got, plain);
  deflateEnd(&peer);
}

TEST(DeflateStreamTest, CorruptInputIsDataLoss) {
  auto s = DeflateStream::Create({});
  ASSERT_TRUE(s.ok());
  // Block type 3 is reserved: invalid at the first byte.
  (*s)->AddInput(std::string("\xff\xff\xff\xff", 4));
  std::string buf(4096, '\0');
  absl::StatusOr<size_t> n = (*s)->Inflate(buf.data(), buf.size());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE((*s)->HasPendingInput());
}

TEST(DeflateStreamTest, SettingsAreChecked) {
  EXPECT_FALSE(DeflateStream::Create({true, 10, 12, 5}).ok());
  EXPECT_FALSE(DeflateStream::Create({true, 6, 8, 5}).ok());
  EXPECT_FALSE(DeflateStream::Create({true, 6, 12, 0}).ok());
  EXPECT_TRUE(DeflateStream::Create({true, 1, 9, 1}).ok());
}

TEST(DeflateStreamTest, AReleasedCompressorRestartsWithinTheSameStream) {
  auto s = DeflateStream::Create({});
  ASSERT_TRUE(s.ok()) << s.status();
  z_stream peer{};
  ASSERT_EQ(inflateInit2(&peer, -15), Z_OK);
  const std::string first = "* 1 FETCH (FLAGS (\\Seen) UID 7)\r\n";
  const std::string second = "* 2 FETCH (FLAGS (\\Seen) UID 8)\r\n";
  std::string wire;
  ASSERT_TRUE((*s)->Compress(first, &wire).ok());
  EXPECT_TRUE((*s)->holds_compressor());
  (*s)->ReleaseCompressor();
  EXPECT_FALSE((*s)->holds_compressor());
  EXPECT_EQ(PeerInflate(peer, wire), first);
  // The peer's decompressor goes on: the new compressor's output is the
  // continuation of the same raw stream.
  std::string more;
  ASSERT_TRUE((*s)->Compress(second, &more).ok());
  EXPECT_TRUE((*s)->holds_compressor());
  EXPECT_EQ(PeerInflate(peer, more), second);
  // Input still decompresses after a release.
  z_stream client{};
  ASSERT_EQ(deflateInit2(&client, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  (*s)->ReleaseCompressor();
  (*s)->AddInput(PeerCompress(client, "a1 NOOP\r\n"));
  EXPECT_EQ(DrainAll(**s, 64), "a1 NOOP\r\n");
  deflateEnd(&client);
  inflateEnd(&peer);
}

}  // namespace
}  // namespace mailroom::server
