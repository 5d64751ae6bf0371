#include "server/admin/admin_protocol.h"

#include "gtest/gtest.h"

namespace mailroom::server::admin {
namespace {

TEST(AdminProtocol, RequestRoundTrips) {
  std::vector<std::string> args = {"user", "add", "bob", "--password=a\nb",
                                   std::string("\0x", 2), ""};
  absl::StatusOr<std::vector<std::string>> decoded =
      DecodeRequest(EncodeRequest(args));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, args);
}

TEST(AdminProtocol, FramesRoundTripInPieces) {
  const std::string stream =
      EncodeFrame(FrameType::kOut, "hello\n") +
      EncodeProgressFrame({"copy INBOX", 3, 10}) +
      EncodeFrame(FrameType::kErr, "warn\n") + EncodeExitFrame(1);
  FrameReader reader;
  std::vector<Frame> frames;
  for (char c : stream) {  // one byte at a time, as a slow socket may
    reader.Feed(std::string_view(&c, 1));
    for (;;) {
      absl::StatusOr<std::optional<Frame>> next = reader.Next();
      ASSERT_TRUE(next.ok());
      if (!next->has_value()) break;
      frames.push_back(**next);
    }
  }
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].type, FrameType::kOut);
  EXPECT_EQ(frames[0].payload, "hello\n");
  std::optional<ProgressUpdate> progress = DecodeProgress(frames[1].payload);
  ASSERT_TRUE(progress.has_value());
  EXPECT_EQ(progress->label, "copy INBOX");
  EXPECT_EQ(progress->done, 3u);
  EXPECT_EQ(progress->total, 10u);
  EXPECT_EQ(frames[2].payload, "warn\n");
  EXPECT_EQ(DecodeExit(frames[3].payload), 1);
  EXPECT_TRUE(reader.empty());
}

TEST(AdminProtocol, RejectsUnknownFrameTypeAndTruncatedRequests) {
  std::string request = EncodeRequest({"user", "list"});
  EXPECT_FALSE(DecodeRequest(request.substr(0, request.size() - 1)).ok());
  EXPECT_FALSE(DecodeRequest(request + "x").ok());
  EXPECT_FALSE(DecodeRequest("").ok());
  FrameReader reader;
  reader.Feed(std::string("z\0\0\0\0", 5));
  EXPECT_FALSE(reader.Next().ok());
  EXPECT_FALSE(DecodeExit("\0\0").has_value());
}

}  // namespace
}  // namespace mailroom::server::admin
