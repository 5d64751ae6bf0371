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

TEST(AdminProtocol, ResponseRoundTrips) {
  Response r{3, "out\n", "err\n"};
  absl::StatusOr<Response> decoded = DecodeResponse(EncodeResponse(r));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->exit_code, 3);
  EXPECT_EQ(decoded->out, "out\n");
  EXPECT_EQ(decoded->err, "err\n");
}

TEST(AdminProtocol, RejectsTruncatedAndTrailingBytes) {
  std::string request = EncodeRequest({"user", "list"});
  EXPECT_FALSE(DecodeRequest(request.substr(0, request.size() - 1)).ok());
  EXPECT_FALSE(DecodeRequest(request + "x").ok());
  EXPECT_FALSE(DecodeRequest("").ok());
  EXPECT_FALSE(DecodeResponse("\0\0").ok());
}

}  // namespace
}  // namespace mailroom::server::admin
