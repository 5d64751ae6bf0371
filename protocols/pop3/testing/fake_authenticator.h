// A plugin::Authenticator for protocol unit tests: PLAIN (RFC 4616) and
// USER/PASS checked against the store, and "X-TWO-STEP", a made-up
// mechanism that sends one challenge and then a final server message, the
// shape SCRAM has.
//
// Thread-safety: not thread-safe.
#ifndef MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_AUTHENTICATOR_H_
#define MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_AUTHENTICATOR_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/api/plugin.h"
#include "store/store.h"

namespace mailroom::testing {

class FakeAuthenticator : public plugin::Authenticator {
 public:
  explicit FakeAuthenticator(store::Store* store) : store_(store) {}

  void set_plaintext_allowed(bool allowed) { plaintext_allowed_ = allowed; }

  std::vector<std::string> Mechanisms(
      const plugin::Connection& conn) const override;
  bool PlaintextAllowed(const plugin::Connection& conn) const override {
    return plaintext_allowed_ || conn.tls_active();
  }
  std::unique_ptr<plugin::SaslExchange> Start(std::string_view mechanism,
                                              plugin::Connection& conn) override;
  plugin::Task<absl::StatusOr<store::Principal>> CheckPassword(
      std::string_view user, std::string_view password,
      plugin::Connection& conn) override;

 private:
  store::Store* store_;
  bool plaintext_allowed_ = true;
};

}  // namespace mailroom::testing

#endif  // MAILROOM_PROTOCOLS_POP3_TESTING_FAKE_AUTHENTICATOR_H_
