#include "server/tls_context.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "server/cert_generator.h"

namespace mailroom::server {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(CertGenerator, WritesACertWithSanAndAPrivateKey) {
  for (bool rsa : {false, true}) {
    CertOptions options;
    options.common_name = "mail.example";
    options.rsa = rsa;
    const std::string cert = TempPath(rsa ? "rsa.pem" : "ec.pem");
    const std::string key = TempPath(rsa ? "rsa.key" : "ec.key");
    ASSERT_TRUE(GenerateSelfSignedCert(options, cert, key).ok());

    struct stat st;
    ASSERT_EQ(stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    FILE* f = fopen(cert.c_str(), "r");
    ASSERT_NE(f, nullptr);
    X509* x509 = PEM_read_X509(f, nullptr, nullptr, nullptr);
    fclose(f);
    ASSERT_NE(x509, nullptr);
    EXPECT_EQ(X509_check_host(x509, "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_host(x509, "mail.example", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(x509, "127.0.0.1", 0), 1);
    EXPECT_NE(X509_check_host(x509, "other.example", 0, 0, nullptr), 1);
    EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(x509)),
              rsa ? EVP_PKEY_RSA : EVP_PKEY_EC);
    X509_free(x509);

    EXPECT_TRUE(MakeServerTlsContext(cert, key).ok());
  }
}

TEST(TlsContextProvider, ReloadsAndKeepsTheOldContextOnFailure) {
  const std::string cert = TempPath("r.pem");
  const std::string key = TempPath("r.key");
  ASSERT_TRUE(GenerateSelfSignedCert({}, cert, key).ok());
  auto provider = TlsContextProvider::Create(cert, key);
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto first = (*provider)->Current();

  ASSERT_TRUE(GenerateSelfSignedCert({}, cert, key).ok());
  ASSERT_TRUE((*provider)->Reload().ok());
  auto second = (*provider)->Current();
  EXPECT_NE(first, second);

  // A key that does not match the certificate is refused.
  ASSERT_TRUE(GenerateSelfSignedCert({}, TempPath("other.pem"), key).ok());
  EXPECT_FALSE((*provider)->Reload().ok());
  EXPECT_EQ((*provider)->Current(), second);
  EXPECT_FALSE(TlsContextProvider::Create(cert, TempPath("missing")).ok());
}

}  // namespace
}  // namespace mailroom::server
