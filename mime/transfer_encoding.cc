// Content-Transfer-Encoding decoders (RFC 2045 section 6), lenient about
// what real mail contains.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "mime/header.h"
#include "mime/transfer_encoding.h"
#include "mime/text.h"

namespace mailroom::mime {
namespace {

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
  t['='] = -2;
  return t;
}
constexpr std::array<int8_t, 256> kBase64 = MakeBase64Table();

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string DecodeBase64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int n = 0;
  bool padded = false;
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t size = in.size();
  size_t i = 0;
  // Fast path: four alphabet characters at a time.
  while (i < size) {
    if (n == 0 && i + 4 <= size) {
      int a = kBase64[s[i]], b = kBase64[s[i + 1]], c = kBase64[s[i + 2]],
          d = kBase64[s[i + 3]];
      if ((a | b | c | d) >= 0) {
        uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
        char bytes[3] = {static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                         static_cast<char>(v)};
        out.append(bytes, 3);
        i += 4;
        continue;
      }
    }
    unsigned char c = s[i++];
    int v = kBase64[c];
    if (v == -1) {
      // Line breaks and stray bytes are skipped; but after padding has
      // marked the end of the data, other text (a mailing list footer, a
      // misplaced boundary) is not base64 at all.
      if (padded && c != '\r' && c != '\n' && c != ' ' && c != '\t') break;
      continue;
    }
    if (v == -2) {
      padded = true;
      // Padding ends a group; a later group may follow (concatenated data).
      if (n == 2) out.push_back(static_cast<char>(acc >> 4));
      if (n == 3) {
        out.push_back(static_cast<char>(acc >> 10));
        out.push_back(static_cast<char>(acc >> 2));
      }
      acc = 0;
      n = 0;
      continue;
    }
    acc = (acc << 6) | v;
    if (++n == 4) {
      out.push_back(static_cast<char>(acc >> 16));
      out.push_back(static_cast<char>(acc >> 8));
      out.push_back(static_cast<char>(acc));
      acc = 0;
      n = 0;
    }
  }
  if (n == 2) out.push_back(static_cast<char>(acc >> 4));
  if (n == 3) {
    out.push_back(static_cast<char>(acc >> 10));
    out.push_back(static_cast<char>(acc >> 2));
  }
  return out;
}

std::string DecodeQuotedPrintable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t pos = 0;
  while (pos < in.size()) {
    size_t nl = in.find('\n', pos);
    size_t line_end = nl == std::string_view::npos ? in.size() : nl;
    size_t content_end = line_end;
    if (content_end > pos && in[content_end - 1] == '\r') --content_end;
    bool has_newline = nl != std::string_view::npos;
    std::string_view ending = in.substr(content_end, line_end - content_end);
    // Transport may add trailing whitespace; it is never data.
    while (content_end > pos &&
           (in[content_end - 1] == ' ' || in[content_end - 1] == '\t'))
      --content_end;
    bool soft_break = false;
    for (size_t i = pos; i < content_end; ++i) {
      char c = in[i];
      if (c != '=') {
        out.push_back(c);
        continue;
      }
      if (i + 1 == content_end) {
        soft_break = true;
        break;
      }
      int hi = Hex(in[i + 1]);
      int lo = i + 2 < content_end ? Hex(in[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        out.push_back('=');
      }
    }
    if (has_newline && !soft_break) {
      out.append(ending);
      out.push_back('\n');
    }
    pos = line_end + (has_newline ? 1 : 0);
  }
  return out;
}

std::optional<std::string> DecodeTransferEncoding(std::string_view data,
                                                  std::string_view encoding) {
  if (encoding.empty() || EqualsIgnoreCase(encoding, "7bit") ||
      EqualsIgnoreCase(encoding, "8bit") ||
      EqualsIgnoreCase(encoding, "binary")) {
    return std::string(data);
  }
  if (EqualsIgnoreCase(encoding, "base64")) return DecodeBase64(data);
  if (EqualsIgnoreCase(encoding, "quoted-printable")) {
    return DecodeQuotedPrintable(data);
  }
  return std::nullopt;
}

}  // namespace mailroom::mime
