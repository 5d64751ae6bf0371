// Self-signed certificates for development and tests (mailroomctl cert
// generate): EC P-256 or RSA 2048, SAN for localhost, 127.0.0.1 and the CN.
#ifndef MAILROOM_SERVER_CERT_GENERATOR_H_
#define MAILROOM_SERVER_CERT_GENERATOR_H_

#include <string>

#include "absl/status/status.h"

namespace mailroom::server {

struct CertOptions {
  std::string common_name = "localhost";
  bool rsa = false;  // EC P-256 unless set
  int valid_days = 825;
};

// Writes a PEM certificate and a PEM private key (mode 0600).
absl::Status GenerateSelfSignedCert(const CertOptions& options,
                                    const std::string& cert_file,
                                    const std::string& key_file);

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_CERT_GENERATOR_H_
