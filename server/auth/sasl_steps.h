// The three answers a SASL exchange gives, shared by every mechanism.
#ifndef MAILROOM_SERVER_AUTH_SASL_STEPS_H_
#define MAILROOM_SERVER_AUTH_SASL_STEPS_H_

#include <string>
#include <utility>

#include "protocols/api/plugin.h"

namespace mailroom::server::auth {

inline plugin::SaslExchange::Step SaslContinue(std::string challenge) {
  plugin::SaslExchange::Step step;
  step.state = plugin::SaslExchange::Step::kContinue;
  step.challenge = std::move(challenge);
  return step;
}

inline plugin::SaslExchange::Step SaslFailure(std::string error) {
  plugin::SaslExchange::Step step;
  step.state = plugin::SaslExchange::Step::kFailure;
  step.error = std::move(error);
  return step;
}

inline plugin::SaslExchange::Step SaslSuccess(store::Principal principal) {
  plugin::SaslExchange::Step step;
  step.state = plugin::SaslExchange::Step::kSuccess;
  step.principal = std::move(principal);
  return step;
}

}  // namespace mailroom::server::auth

#endif  // MAILROOM_SERVER_AUTH_SASL_STEPS_H_
