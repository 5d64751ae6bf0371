// libFuzzer target: a SCRAM-SHA-256 exchange driven by the client's bytes.
// The input is client-first-message, a newline, client-final-message (as
// they arrive base64-decoded from AUTHENTICATE / AUTH). The server side uses
// the credentials and server nonce of the RFC 7677 example, so a seed with
// the example's proof reaches the success path.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/auth/scram.h"

namespace {

using mailroom::server::auth::ScramServer;

constexpr char kServerNonce[] = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

const mailroom::store::ScramCredentials& Credentials() {
  // Salt "W22ZaJ0SNY7soEsUEjb6gQ==" (base64), password "pencil", 4096
  // iterations: derived once, the PBKDF2 would dominate every run.
  static const mailroom::store::ScramCredentials* credentials = [] {
    const unsigned char salt[] = {0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12,
                                  0x35, 0x8e, 0xec, 0xa0, 0x4b, 0x14,
                                  0x12, 0x36, 0xfa, 0x81};
    return new mailroom::store::ScramCredentials(
        mailroom::server::auth::DeriveScramCredentials(
            "pencil",
            std::string_view(reinterpret_cast<const char*>(salt),
                             sizeof(salt)),
            4096));
  }();
  return *credentials;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view first = input.substr(0, newline);
  const std::string_view final_message =
      newline == std::string_view::npos ? std::string_view()
                                        : input.substr(newline + 1);
  ScramServer server;
  absl::StatusOr<std::string> user = server.ReceiveClientFirst(first);
  if (!user.ok()) {
    // The final message alone, on a server that saw no valid first one.
    ScramServer fresh;
    (void)fresh.ReceiveClientFinal(final_message);
    return 0;
  }
  if (user->empty() || *user != server.user()) abort();
  const std::string server_first =
      server.MakeServerFirst(Credentials(), kServerNonce);
  absl::StatusOr<std::string> server_final =
      server.ReceiveClientFinal(final_message);
  if (server_final.ok() && server_final->rfind("v=", 0) != 0) abort();
  return 0;
}
