#include "server/cert_generator.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace mailroom::server {
namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(FILE* p) const { fclose(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Deleter>;

absl::Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return absl::InternalError(absl::StrCat("cannot add extension ", value));
  }
  return absl::OkStatus();
}

absl::StatusOr<Owned<FILE>> OpenForWrite(const std::string& path,
                                         mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  }
  fchmod(fd, mode);
  FILE* file = fdopen(fd, "w");
  if (file == nullptr) {
    close(fd);
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return Owned<FILE>(file);
}

}  // namespace

absl::Status GenerateSelfSignedCert(const CertOptions& options,
                                    const std::string& cert_file,
                                    const std::string& key_file) {
  Owned<EVP_PKEY> key(options.rsa ? EVP_RSA_gen(2048)
                                  : EVP_EC_gen("P-256"));
  if (key == nullptr) return absl::InternalError("key generation failed");

  Owned<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);  // v3
  Owned<BIGNUM> serial(BN_new());
  BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                  static_cast<long>(options.valid_days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_UTF8,
      reinterpret_cast<const unsigned char*>(options.common_name.c_str()), -1,
      -1, 0);
  X509_set_issuer_name(cert.get(), name);

  std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (options.common_name != "localhost" && !options.common_name.empty()) {
    san = absl::StrCat("DNS:", options.common_name, ",", san);
  }
  absl::Status status = AddExtension(cert.get(), NID_subject_alt_name, san);
  if (status.ok()) {
    status = AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  }
  if (status.ok()) {
    status = AddExtension(cert.get(), NID_subject_key_identifier, "hash");
  }
  if (status.ok()) {
    status =
        AddExtension(cert.get(), NID_authority_key_identifier, "keyid:always");
  }
  if (status.ok()) {
    status = AddExtension(cert.get(), NID_key_usage,
                          "critical,digitalSignature,keyEncipherment,keyCertSign");
  }
  if (status.ok()) {
    status = AddExtension(cert.get(), NID_ext_key_usage, "serverAuth");
  }
  if (!status.ok()) return status;
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return absl::InternalError("certificate signing failed");
  }

  absl::StatusOr<Owned<FILE>> key_out = OpenForWrite(key_file, 0600);
  if (!key_out.ok()) return key_out.status();
  if (PEM_write_PrivateKey(key_out->get(), key.get(), nullptr, nullptr, 0,
                           nullptr, nullptr) != 1) {
    return absl::InternalError(absl::StrCat("cannot write ", key_file));
  }
  absl::StatusOr<Owned<FILE>> cert_out = OpenForWrite(cert_file, 0644);
  if (!cert_out.ok()) return cert_out.status();
  if (PEM_write_X509(cert_out->get(), cert.get()) != 1) {
    return absl::InternalError(absl::StrCat("cannot write ", cert_file));
  }
  return absl::OkStatus();
}

}  // namespace mailroom::server
