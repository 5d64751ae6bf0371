// JWT verifications per second: decoding, signature and claim checks of one
// access token, per algorithm (what an OAUTHBEARER login costs in CPU).
//
//   bazel run -c opt //server/auth:jwt_verifier_benchmark
#include <string>

#include "absl/time/clock.h"
#include "benchmark/benchmark.h"
#include "server/auth/jwt_test_keys.h"
#include "server/auth/jwt_verifier.h"

namespace mailroom::server::auth {
namespace {

using testing::TestSigner;

void Verify(benchmark::State& state, const TestSigner& signer,
            const std::string& alg) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const nlohmann::json claims = {{"iss", "https://idp.example"},
                                 {"aud", "mailroom"},
                                 {"email", "alice@example.com"},
                                 {"iat", now},
                                 {"exp", now + 3600}};
  const std::string token =
      signer.Sign({{"alg", alg}, {"kid", signer.kid()}, {"typ", "JWT"}}, claims);
  absl::StatusOr<Jwks> keys = Jwks::Parse(signer.JwksText());
  JwtPolicy policy;
  policy.issuer = "https://idp.example";
  policy.audience = "mailroom";
  for (auto _ : state) {
    absl::StatusOr<DecodedJwt> jwt = DecodeJwt(token, 16384);
    absl::Status status = VerifyJwt(*jwt, *keys, policy, absl::Now());
    if (!status.ok()) state.SkipWithError("token refused");
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyRs256(benchmark::State& state) {
  static const TestSigner signer = TestSigner::Rsa("r", 2048);
  Verify(state, signer, "RS256");
}
void BM_VerifyPs256(benchmark::State& state) {
  static const TestSigner signer = TestSigner::Rsa("r", 2048);
  Verify(state, signer, "PS256");
}
void BM_VerifyEs256(benchmark::State& state) {
  static const TestSigner signer = TestSigner::EcP256("e");
  Verify(state, signer, "ES256");
}
void BM_VerifyEdDsa(benchmark::State& state) {
  static const TestSigner signer = TestSigner::Ed25519("d");
  Verify(state, signer, "EdDSA");
}
BENCHMARK(BM_VerifyRs256);
BENCHMARK(BM_VerifyPs256);
BENCHMARK(BM_VerifyEs256);
BENCHMARK(BM_VerifyEdDsa);

}  // namespace
}  // namespace mailroom::server::auth
