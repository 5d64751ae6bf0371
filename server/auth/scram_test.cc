#include "server/auth/scram.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace mailroom::server::auth {
namespace {

std::string FromBase64(std::string_view s) {
  std::string out;
  EXPECT_TRUE(absl::Base64Unescape(absl::string_view(s.data(), s.size()), &out));
  return out;
}

// The example exchange of RFC 7677, section 3.
TEST(Scram, Rfc7677Example) {
  store::ScramCredentials credentials = DeriveScramCredentials(
      "pencil", FromBase64("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  ScramServer server;
  absl::StatusOr<std::string> user =
      server.ReceiveClientFirst("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(*user, "user");
  EXPECT_EQ(server.MakeServerFirst(credentials,
                                   "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"),
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
  absl::StatusOr<std::string> final_message = server.ReceiveClientFinal(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_TRUE(final_message.ok()) << final_message.status();
  EXPECT_EQ(*final_message, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
}

// A client computing the proof from the password, as imaplib users do.
std::string ClientFinal(const std::string& client_first_bare,
                        const std::string& server_first,
                        const std::string& gs2_header,
                        const std::string& nonce, const std::string& password,
                        const std::string& salt, uint32_t iterations) {
  const std::string without_proof =
      absl::StrCat("c=", absl::Base64Escape(gs2_header), ",r=", nonce);
  const std::string auth_message =
      absl::StrCat(client_first_bare, ",", server_first, ",", without_proof);
  const std::string salted = Pbkdf2Sha256(password, salt, iterations);
  const std::string client_key = HmacSha256(salted, "Client Key");
  std::string proof = HmacSha256(Sha256(client_key), auth_message);
  for (size_t i = 0; i < proof.size(); ++i) proof[i] ^= client_key[i];
  return absl::StrCat(without_proof, ",p=", absl::Base64Escape(proof));
}

TEST(Scram, AcceptsYFlagAndAuthzidAndRejectsWrongPassword) {
  const std::string salt = "0123456789abcdef";
  store::ScramCredentials credentials =
      DeriveScramCredentials("secret", salt, 4096);
  for (std::string password : {"secret", "wrong"}) {
    ScramServer server;
    const std::string gs2 = "y,a=bob,";
    ASSERT_TRUE(server.ReceiveClientFirst(gs2 + "n=bob,r=abc").ok());
    const std::string server_first = server.MakeServerFirst(credentials, "xyz");
    absl::StatusOr<std::string> result = server.ReceiveClientFinal(
        ClientFinal("n=bob,r=abc", server_first, gs2, "abcxyz", password,
                    salt, 4096));
    EXPECT_EQ(result.ok(), password == "secret") << result.status();
  }
}

TEST(Scram, RejectsChannelBindingOtherAuthzidAndBadNonce) {
  ScramServer a;
  EXPECT_FALSE(a.ReceiveClientFirst("p=tls-unique,,n=bob,r=abc").ok());
  ScramServer b;
  EXPECT_FALSE(b.ReceiveClientFirst("n,a=alice,n=bob,r=abc").ok());
  ScramServer c;
  EXPECT_FALSE(c.ReceiveClientFirst("n,,m=ext,n=bob,r=abc").ok());
  ScramServer d;
  ASSERT_TRUE(d.ReceiveClientFirst("n,,n=b=3Dob=2C,r=abc").ok());
  EXPECT_EQ(d.user(), "b=ob,");
  store::ScramCredentials credentials =
      DeriveScramCredentials("secret", "salt", 4096);
  const std::string server_first = d.MakeServerFirst(credentials, "xyz");
  // The client must echo the full nonce.
  EXPECT_FALSE(d.ReceiveClientFinal(ClientFinal("n=b=3Dob=2C,r=abc",
                                                server_first, "n,,", "abc",
                                                "secret", "salt", 4096))
                   .ok());
}

}  // namespace
}  // namespace mailroom::server::auth
