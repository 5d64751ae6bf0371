#include "server/tls_context.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
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

TEST(TlsPolicy, DefaultsOfferOnlyForwardSecretAeadSuites) {
  const std::string cert = TempPath("p.pem");
  const std::string key = TempPath("p.key");
  CertOptions options;
  options.rsa = true;
  ASSERT_TRUE(GenerateSelfSignedCert(options, cert, key).ok());
  auto context = MakeServerTlsContext(cert, key);
  ASSERT_TRUE(context.ok()) << context.status();
  SSL_CTX* native = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(native);
  ASSERT_NE(ciphers, nullptr);
  int tls12 = 0;
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(cipher);
    EXPECT_EQ(SSL_CIPHER_is_aead(cipher), 1) << name;
    const int kx = SSL_CIPHER_get_kx_nid(cipher);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_dhe || kx == NID_kx_any)
        << name;
    if (kx != NID_kx_any) ++tls12;
  }
  EXPECT_GT(tls12, 0);
}

TEST(TlsPolicy, SettingsAreCheckedAndApplied) {
  EXPECT_TRUE(CheckTlsPolicy({}).ok());
  TlsPolicy bad_version;
  bad_version.min_version = "1.1";
  EXPECT_EQ(CheckTlsPolicy(bad_version).code(),
            absl::StatusCode::kInvalidArgument);
  TlsPolicy bad_ciphers;
  bad_ciphers.ciphers = "NO-SUCH-CIPHER";
  EXPECT_FALSE(CheckTlsPolicy(bad_ciphers).ok());
  TlsPolicy bad_suites;
  bad_suites.ciphersuites = "TLS_NO_SUCH_SUITE";
  EXPECT_FALSE(CheckTlsPolicy(bad_suites).ok());

  const std::string cert = TempPath("q.pem");
  const std::string key = TempPath("q.key");
  ASSERT_TRUE(GenerateSelfSignedCert({}, cert, key).ok());
  TlsPolicy only13;
  only13.min_version = "1.3";
  auto context = MakeServerTlsContext(cert, key, only13);
  ASSERT_TRUE(context.ok()) << context.status();
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*context)->native_handle()),
            TLS1_3_VERSION);
  EXPECT_FALSE(MakeServerTlsContext(cert, key, bad_version).ok());
}

}  // namespace
}  // namespace mailroom::server
