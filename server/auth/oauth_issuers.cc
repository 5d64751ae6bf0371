#include "server/auth/oauth_issuers.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/absl_view.h"
#include "server/config_file.h"

namespace mailroom::server::auth {
namespace {

namespace fs = std::filesystem;

std::string StringClaim(const nlohmann::json& claims, const std::string& name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

absl::StatusOr<OAuthIssuerConfig> ParseOAuthIssuer(
    const std::vector<std::pair<std::string, std::string>>& entries,
    const std::string& source) {
  OAuthIssuerConfig config;
  config.source = source;
  for (const auto& [key, value] : entries) {
    if (key == "issuer") {
      config.issuer = value;
    } else if (key == "audience") {
      config.audience = value;
    } else if (key == "jwks") {
      config.jwks_path = value;
    } else if (key == "user_claim") {
      config.user_claim = value;
    } else if (key == "strip_domains") {
      for (absl::string_view domain :
           absl::StrSplit(value, ',', absl::SkipWhitespace())) {
        config.strip_domains.push_back(
            absl::AsciiStrToLower(absl::StripAsciiWhitespace(domain)));
      }
    } else if (key == "scope") {
      config.scope = value;
    } else if (key == "openid_configuration") {
      config.openid_configuration = value;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": unknown key '", key, "'"));
    }
  }
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"issuer", &config.issuer},
        {"audience", &config.audience},
        {"jwks", &config.jwks_path},
        {"user_claim", &config.user_claim}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": '", name, "' is missing"));
    }
  }
  if (fs::path(config.jwks_path).is_relative()) {
    config.jwks_path =
        (fs::path(source).parent_path() / config.jwks_path).string();
  }
  return config;
}

absl::StatusOr<std::unique_ptr<OAuthIssuers>> OAuthIssuers::Load(
    const std::string& path, OAuthSettings settings) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(path, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".conf") {
        files.push_back(entry.path().string());
      }
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(path);
  }
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", path, ": ", ec.message()));
  }
  std::vector<OAuthIssuerConfig> configs;
  for (const std::string& file : files) {
    absl::StatusOr<ConfigEntries> entries = ReadConfigFile(file);
    if (!entries.ok()) return entries.status();
    absl::StatusOr<OAuthIssuerConfig> config = ParseOAuthIssuer(*entries, file);
    if (!config.ok()) return config.status();
    configs.push_back(*std::move(config));
  }
  return Create(std::move(configs), settings);
}

absl::StatusOr<std::unique_ptr<OAuthIssuers>> OAuthIssuers::Create(
    std::vector<OAuthIssuerConfig> configs, OAuthSettings settings,
    std::function<absl::Time()> clock) {
  if (configs.empty()) {
    return absl::InvalidArgumentError("no OAuth issuer configured");
  }
  std::unique_ptr<OAuthIssuers> issuers(
      new OAuthIssuers(settings, std::move(clock)));
  for (OAuthIssuerConfig& config : configs) {
    for (const Issuer& other : issuers->issuers_) {
      if (other.config.issuer == config.issuer) {
        return absl::InvalidArgumentError(
            absl::StrCat(config.source, ": issuer ", config.issuer,
                         " is also described in ", other.config.source));
      }
    }
    auto keys = std::make_unique<JwksFile>(
        config.jwks_path, settings.jwks_check_interval, issuers->clock_);
    absl::StatusOr<std::shared_ptr<const Jwks>> loaded = keys->Current();
    if (!loaded.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(config.source, ": ", loaded.status().message()));
    }
    issuers->issuers_.push_back(Issuer{std::move(config), std::move(keys)});
  }
  return issuers;
}

const OAuthIssuers::Issuer* OAuthIssuers::Find(const DecodedJwt& jwt) const {
  const std::string iss = StringClaim(jwt.claims, "iss");
  for (const Issuer& issuer : issuers_) {
    if (issuer.config.issuer == iss) return &issuer;
  }
  return nullptr;
}

std::string OAuthIssuers::MapName(const OAuthIssuerConfig& issuer,
                                  std::string_view name) {
  std::string account = absl::AsciiStrToLower(Av(name));
  const size_t at = account.rfind('@');
  if (at != std::string::npos) {
    const std::string domain = account.substr(at + 1);
    for (const std::string& strip : issuer.strip_domains) {
      if (domain == strip) {
        account.resize(at);
        break;
      }
    }
  }
  return account;
}

std::string OAuthIssuers::AccountFrom(const Issuer& issuer,
                                      const DecodedJwt& jwt) const {
  return MapName(issuer.config,
                 StringClaim(jwt.claims, issuer.config.user_claim));
}

std::string OAuthIssuers::AccountForName(std::string_view token,
                                         std::string_view name) const {
  return MapName(IssuerFor(token), name);
}

absl::StatusOr<std::string> OAuthIssuers::Verify(std::string_view token) const {
  absl::StatusOr<DecodedJwt> jwt = DecodeJwt(token, settings_.max_token_bytes);
  if (!jwt.ok()) return absl::PermissionDeniedError(jwt.status().message());
  const Issuer* issuer = Find(*jwt);
  if (issuer == nullptr) return absl::PermissionDeniedError("unknown issuer");
  absl::StatusOr<std::shared_ptr<const Jwks>> keys = issuer->keys->Current();
  if (!keys.ok()) return absl::UnavailableError(keys.status().message());
  JwtPolicy policy;
  policy.issuer = issuer->config.issuer;
  policy.audience = issuer->config.audience;
  policy.leeway = settings_.leeway;
  const absl::Status verified = VerifyJwt(*jwt, **keys, policy, clock_());
  if (!verified.ok()) return verified;
  std::string account = AccountFrom(*issuer, *jwt);
  if (account.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "token has no string claim \"", issuer->config.user_claim, "\""));
  }
  return account;
}

std::string OAuthIssuers::ClaimedAccount(std::string_view token) const {
  absl::StatusOr<DecodedJwt> jwt = DecodeJwt(token, settings_.max_token_bytes);
  if (!jwt.ok()) return "";
  const Issuer* issuer = Find(*jwt);
  return issuer == nullptr ? "" : AccountFrom(*issuer, *jwt);
}

const OAuthIssuerConfig& OAuthIssuers::IssuerFor(std::string_view token) const {
  absl::StatusOr<DecodedJwt> jwt = DecodeJwt(token, settings_.max_token_bytes);
  const Issuer* issuer = jwt.ok() ? Find(*jwt) : nullptr;
  return issuer != nullptr ? issuer->config : issuers_.front().config;
}

}  // namespace mailroom::server::auth
