#include "sieve/testing/fake_message.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "sieve/text.h"

namespace mailroom::sieve::testing {

std::string DecodeEncodedWords(std::string_view value) {
  std::string out;
  size_t i = 0;
  bool last_was_word = false;
  while (i < value.size()) {
    const size_t start = value.find("=?", i);
    if (start == std::string_view::npos) {
      out.append(value.substr(i));
      break;
    }
    // "=?charset?X?text?="
    const size_t q1 = value.find('?', start + 2);
    const size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos || q2 != q1 + 2) {
      out.append(value.substr(i));
      break;
    }
    const std::string_view between = value.substr(i, start - i);
    if (!(last_was_word && Strip(between).empty())) out.append(between);
    const char encoding = absl::ascii_toupper(value[q1 + 1]);
    const std::string_view text = value.substr(q2 + 1, end - q2 - 1);
    if (encoding == 'B') {
      std::string decoded;
      absl::Base64Unescape(AsAbsl(text), &decoded);
      out += decoded;
    } else {
      for (size_t k = 0; k < text.size(); ++k) {
        if (text[k] == '_') {
          out.push_back(' ');
        } else if (text[k] == '=' && k + 2 < text.size()) {
          out.push_back(static_cast<char>(std::stoi(std::string(text.substr(k + 1, 2)), nullptr, 16)));
          k += 2;
        } else {
          out.push_back(text[k]);
        }
      }
    }
    i = end + 2;
    last_was_word = true;
  }
  return out;
}

FakeMessage::FakeMessage(std::string_view text) : text_(text) {
  size_t i = 0;
  while (i < text.size()) {
    size_t eol = text.find('\n', i);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(i, eol - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    i = eol + 1;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !headers_.empty()) {
      headers_.back().second.append(line);  // unfold
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value[0] == ' ' || value[0] == '\t')) value.remove_prefix(1);
    headers_.emplace_back(Lower(Strip(line.substr(0, colon))), std::string(value));
  }
  body_ = i < text.size() ? std::string(text.substr(i)) : "";
  std::string type = "text/plain";
  for (const auto& [name, value] : headers_) {
    if (name == "content-type") type = Lower(Strip(value.substr(0, value.find(';'))));
  }
  parts_.push_back({type, body_});
}

std::vector<std::string> FakeMessage::HeaderValues(std::string_view name, bool decoded) const {
  std::vector<std::string> out;
  for (const auto& [field, value] : headers_) {
    if (EqualsIgnoreCase(field, name)) out.push_back(decoded ? DecodeEncodedWords(value) : value);
  }
  return out;
}

std::optional<std::string> FakeMessage::Envelope(std::string_view part) const {
  auto it = envelope.find(std::string(part));
  if (it == envelope.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<std::string> FakeEnvironment::LoadScript(ScriptLocation location,
                                                        std::string_view name) const {
  const auto& scripts = location == ScriptLocation::kGlobal ? global_scripts : personal_scripts;
  auto it = scripts.find(std::string(name));
  if (it == scripts.end()) return absl::NotFoundError("no such script");
  return it->second;
}

}  // namespace mailroom::sieve::testing
