#include "store/internal/password.h"

#include "gtest/gtest.h"

namespace mailroom::store::internal {
namespace {

TEST(PasswordTest, Pbkdf2MatchesRfc7914Vector) {
  // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1, 64).
  EXPECT_EQ(HexEncode(SaltedPassword("passwd", "salt", 1)),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
}

TEST(PasswordTest, ScramKeysAreDerivedPerRfc5802) {
  UserRecord record;
  ASSERT_TRUE(HashPassword("pencil", 4096, &record).ok());
  EXPECT_EQ(record.salt.size(), 16u);
  EXPECT_EQ(record.iterations, 4096u);
  std::string salted = SaltedPassword("pencil", record.salt, 4096);
  EXPECT_EQ(record.stored_key, Sha256(HmacSha256(salted, "Client Key")));
  EXPECT_EQ(record.server_key, HmacSha256(salted, "Server Key"));
  EXPECT_TRUE(VerifyPassword("pencil", record));
  EXPECT_FALSE(VerifyPassword("pencil2", record));
  EXPECT_FALSE(VerifyPassword("", record));
  UserRecord other;
  ASSERT_TRUE(HashPassword("pencil", 4096, &other).ok());
  EXPECT_NE(other.salt, record.salt);  // fresh salt every time
}

TEST(PasswordTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(PasswordTest, Hex) {
  std::string raw;
  EXPECT_FALSE(HexDecode("abc", &raw));
  EXPECT_FALSE(HexDecode("zz", &raw));
  EXPECT_TRUE(HexDecode("00Ff", &raw));
  EXPECT_EQ(raw, std::string("\x00\xff", 2));
}

}  // namespace
}  // namespace mailroom::store::internal
