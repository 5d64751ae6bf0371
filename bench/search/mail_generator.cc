#include "bench/search/mail_generator.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/utf8.h"

namespace mailroom::bench {

namespace {

constexpr char kCrlf[] = "\r\n";

const char* const kOnsets[] = {"b", "c", "d", "f", "g", "h", "k", "l", "m",
                               "n", "p", "r", "s", "t", "v", "w", "z", "br",
                               "st", "tr", "ch", "sh", "pl", "gr", "th", ""};
const char* const kVowels[] = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "y"};
const char* const kLatinVowels[] = {"é", "è", "ü", "ö", "ä", "à", "ñ", "ç",
                                    "ß", "ø", "å", "í"};
const char* const kDomains[] = {"example.com", "mail.example.org",
                                "helpdesk.example.net", "exämple.de",
                                "corp.example"};

// Decodes the code point at `i` (the generator writes only valid UTF-8) and
// advances `i`.
uint32_t DecodeUtf8(const std::string& s, size_t& i) {
  uint32_t cp = 0;
  const size_t length =
      base::Utf8SequenceLength(std::string_view(s).substr(i), &cp);
  i += length == 0 ? 1 : length;
  return cp;
}

uint32_t ToUpper(uint32_t cp) {
  if (cp >= 'a' && cp <= 'z') return cp - 32;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 0x20;
  if (cp >= 0x430 && cp <= 0x44F) return cp - 0x20;
  if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) return cp - 0x20;
  return cp;
}

std::string Upper(const std::string& word, bool first_only) {
  std::string out;
  size_t i = 0;
  bool first = true;
  while (i < word.size()) {
    const uint32_t cp = DecodeUtf8(word, i);
    base::AppendUtf8(first || !first_only ? ToUpper(cp) : cp, &out);
    first = false;
  }
  return out;
}

bool IsAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string Wrap(const std::string& text, size_t width) {
  std::string out;
  size_t line = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const size_t len = end - start;
    if (line > 0 && line + 1 + len > width) {
      out += kCrlf;
      line = 0;
    } else if (line > 0) {
      out.push_back(' ');
      ++line;
    }
    out.append(text, start, len);
    line += len;
    start = end + 1;
  }
  return out;
}

std::string PercentEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
        (b >= '0' && b <= '9') || b == '.' || b == '-') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return out;
}

}  // namespace

std::string Base64(const std::string& bytes, bool wrap_lines) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t line = 0;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < bytes.size() ? kAlphabet[n & 63] : '=');
    line += 4;
    if (wrap_lines && line >= 76) {
      out += kCrlf;
      line = 0;
    }
  }
  return out;
}

std::string QuotedPrintable(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t line = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
      out += kCrlf;
      line = 0;
      ++i;
      continue;
    }
    const bool next_is_eol = i + 1 == bytes.size() || bytes[i + 1] == '\r';
    std::string piece;
    if ((b >= 33 && b <= 126 && b != '=') || (b == ' ' && !next_is_eol)) {
      piece.push_back(static_cast<char>(b));
    } else {
      piece = {'=', kHex[b >> 4], kHex[b & 15]};
    }
    if (line + piece.size() > 75) {
      out += "=";
      out += kCrlf;
      line = 0;
    }
    out += piece;
    line += piece.size();
  }
  return out;
}

bool Utf8ToLatin1(const std::string& utf8, std::string* latin1) {
  latin1->clear();
  size_t i = 0;
  while (i < utf8.size()) {
    const uint32_t cp = DecodeUtf8(utf8, i);
    if (cp > 0xFF) return false;
    latin1->push_back(static_cast<char>(cp));
  }
  return true;
}

MailGenerator::MailGenerator(const MailGeneratorOptions& options)
    : options_(options), rng_(options.seed) {
  absl::flat_hash_set<std::string> seen;
  std::uniform_int_distribution<int> syllables(1, 4);
  std::uniform_real_distribution<double> unit(0, 1);
  auto pick = [&](auto& array) {
    return array[std::uniform_int_distribution<size_t>(
        0, std::size(array) - 1)(rng_)];
  };
  while (static_cast<int>(words_.size()) < options.vocabulary_size) {
    std::string word;
    const double kind = unit(rng_);
    if (kind < 0.78) {
      for (int s = syllables(rng_); s > 0; --s) {
        word += pick(kOnsets);
        word += pick(kVowels);
      }
    } else if (kind < 0.9) {
      for (int s = syllables(rng_); s > 0; --s) {
        word += pick(kOnsets);
        word += unit(rng_) < 0.4 ? pick(kLatinVowels) : pick(kVowels);
      }
    } else if (kind < 0.95) {  // Cyrillic
      for (int n = 3 + syllables(rng_) * 2; n > 0; --n) {
        base::AppendUtf8(0x430 + static_cast<uint32_t>(unit(rng_) * 32),
                         &word);
      }
    } else if (kind < 0.98) {  // Greek, no final sigma
      for (int n = 3 + syllables(rng_); n > 0; --n) {
        uint32_t cp = 0x3B1 + static_cast<uint32_t>(unit(rng_) * 25);
        if (cp == 0x3C2) cp = 0x3C3;
        base::AppendUtf8(cp, &word);
      }
    } else {  // CJK ideographs
      for (int n = 1 + syllables(rng_) / 2; n > 0; --n) {
        base::AppendUtf8(0x4E00 + static_cast<uint32_t>(unit(rng_) * 3000),
                         &word);
      }
    }
    if (seen.insert(word).second) words_.push_back(std::move(word));
  }
  double sum = 0;
  cdf_.reserve(words_.size());
  for (size_t rank = 1; rank <= words_.size(); ++rank) {
    sum += 1.0 / std::pow(static_cast<double>(rank), options.zipf_exponent);
    cdf_.push_back(sum);
  }
  for (double& c : cdf_) c /= sum;
}

const std::string& MailGenerator::ZipfWord() {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
  size_t rank = std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin();
  return words_[std::min(rank, words_.size() - 1)];
}

std::string MailGenerator::Sentence(int words, bool capitalise) {
  std::string out;
  std::uniform_real_distribution<double> unit(0, 1);
  for (int i = 0; i < words; ++i) {
    if (i > 0) out.push_back(' ');
    const std::string& word = ZipfWord();
    if (i == 0 && capitalise) {
      out += Upper(word, true);
    } else if (unit(rng_) < 0.02) {
      out += Upper(word, false);
    } else {
      out += word;
    }
  }
  return out;
}

std::string MailGenerator::Text(int words) {
  std::string out;
  std::uniform_int_distribution<int> length(4, 16);
  std::uniform_real_distribution<double> unit(0, 1);
  while (words > 0) {
    const int n = std::min(words, length(rng_));
    if (!out.empty()) out += unit(rng_) < 0.15 ? "\n\n" : " ";
    out += Sentence(n, true);
    out += unit(rng_) < 0.1 ? "?" : ".";
    words -= n;
  }
  return out;
}

std::string MailGenerator::Header(const std::string& name,
                                  const std::string& value) {
  if (IsAscii(value)) return absl::StrCat(name, ": ", value, kCrlf);
  // Encoded words of at most ~12 code points each, split anywhere (even
  // inside a word: decoders join adjacent encoded words).
  std::string latin1;
  const bool use_latin1 =
      Utf8ToLatin1(value, &latin1) && (count_ % 2 == 0);
  const bool use_b = !use_latin1 && (count_ % 3 != 0);
  std::string out = absl::StrCat(name, ":");
  size_t i = 0;
  while (i < value.size()) {
    const size_t start = i;
    for (int n = 0; n < 12 && i < value.size(); ++n) DecodeUtf8(value, i);
    const std::string chunk = value.substr(start, i - start);
    std::string encoded;
    if (use_b) {
      encoded = absl::StrCat("=?UTF-8?B?", Base64(chunk, false), "?=");
    } else {
      std::string bytes = chunk;
      if (use_latin1) Utf8ToLatin1(chunk, &bytes);
      encoded = use_latin1 ? "=?ISO-8859-1?Q?" : "=?utf-8?q?";
      static constexpr char kHex[] = "0123456789ABCDEF";
      for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b == ' ') {
          encoded.push_back('_');
        } else if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
                   (b >= '0' && b <= '9')) {
          encoded.push_back(c);
        } else {
          encoded += {'=', kHex[b >> 4], kHex[b & 15]};
        }
      }
      encoded += "?=";
    }
    out += start == 0 ? " " : absl::StrCat(kCrlf, " ");
    out += encoded;
  }
  out += kCrlf;
  return out;
}

std::string MailGenerator::Address(bool with_name) {
  std::uniform_int_distribution<size_t> domain(0, std::size(kDomains) - 1);
  const std::string first = ZipfWord();
  const std::string last = ZipfWord();
  std::string local = IsAscii(first) ? first : "user";
  if (IsAscii(last)) absl::StrAppend(&local, ".", last);
  const std::string addr = absl::StrCat(local, "@", kDomains[domain(rng_)]);
  if (!with_name) return addr;
  const std::string name = absl::StrCat(Upper(first, true), " ", Upper(last, true));
  if (IsAscii(name)) return absl::StrCat("\"", name, "\" <", addr, ">");
  return absl::StrCat("=?UTF-8?B?", Base64(name, false), "?= <", addr, ">");
}

std::string MailGenerator::Next() {
  ++count_;
  std::uniform_real_distribution<double> unit(0, 1);
  std::string head;
  head += absl::StrCat("Message-ID: <", count_, ".", options_.seed,
                       "@gen.example>", kCrlf);
  const time_t when = 1577836800 + static_cast<time_t>(count_) * 613;
  char date[64];
  struct tm tm_utc;
  gmtime_r(&when, &tm_utc);
  strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm_utc);
  head += absl::StrCat("Date: ", date, kCrlf);
  head += absl::StrCat("From: ", Address(true), kCrlf);
  std::string to = Address(unit(rng_) < 0.7);
  for (int n = unit(rng_) < 0.3 ? 2 : 0; n > 0; --n) {
    absl::StrAppend(&to, ", ", Address(true));
  }
  head += absl::StrCat("To: ", to, kCrlf);
  if (unit(rng_) < 0.3) head += absl::StrCat("Cc: ", Address(true), kCrlf);
  const char* const prefixes[] = {"", "", "", "Re: ", "Fwd: ", "RE: "};
  const std::string subject =
      absl::StrCat(prefixes[count_ % std::size(prefixes)],
                   Sentence(std::uniform_int_distribution<int>(2, 9)(rng_), true));
  head += Header("Subject", subject);
  if (unit(rng_) < 0.2) {
    const char* const states[] = {"open", "pending", "Closed"};
    head += absl::StrCat("X-Ticket: T-", count_ * 7919 % 100000, " ",
                         states[count_ % 3], kCrlf);
  }
  head += absl::StrCat("MIME-Version: 1.0", kCrlf);

  // The text, in one of several charsets and transfer encodings.
  const double lognormal = std::exp(
      std::normal_distribution<double>(0, options_.size_sigma)(rng_));
  const int words = std::clamp(
      static_cast<int>(options_.median_words * lognormal), 3,
      options_.max_words);
  std::string text = Text(words);
  std::string latin1;
  const bool ascii = IsAscii(text);
  const bool latin1_ok = !ascii && Utf8ToLatin1(text, &latin1);
  std::string crlf_text;
  for (char c : Wrap(text, 72)) {
    if (c == '\n') {
      crlf_text += kCrlf;
    } else {
      crlf_text.push_back(c);
    }
  }
  auto text_part = [&](const std::string& subtype, const std::string& body) {
    std::string charset = "utf-8";
    std::string bytes = body;
    if (ascii) {
      charset = "us-ascii";
    } else if (latin1_ok && count_ % 2 == 1) {
      charset = "iso-8859-1";
      Utf8ToLatin1(body, &bytes);
    }
    std::string cte = "7bit";
    std::string encoded = bytes;
    if (!ascii) {
      const int pick = static_cast<int>(count_ % 3);
      cte = pick == 0 ? "8bit" : pick == 1 ? "quoted-printable" : "base64";
      if (pick == 1) encoded = QuotedPrintable(bytes);
      if (pick == 2) encoded = Base64(bytes, true);
    }
    return absl::StrCat("Content-Type: text/", subtype, "; charset=", charset,
                        kCrlf, "Content-Transfer-Encoding: ", cte, kCrlf,
                        kCrlf, encoded, kCrlf);
  };

  std::string body_part;
  if (unit(rng_) < options_.html_share) {
    std::string html = "<html><body><p>";
    for (char c : crlf_text) {
      if (c == '&') {
        html += "&amp;";
      } else {
        html.push_back(c);
      }
    }
    html += absl::StrCat("</p>", kCrlf, "<p><b>", Sentence(3, true),
                         "</b> &amp; ", Sentence(2, false), "</p></body></html>");
    const std::string boundary = absl::StrCat("alt-", count_);
    body_part = absl::StrCat(
        "Content-Type: multipart/alternative; boundary=\"", boundary, "\"",
        kCrlf, kCrlf, "--", boundary, kCrlf, text_part("plain", crlf_text),
        "--", boundary, kCrlf, text_part("html", html), "--", boundary, "--",
        kCrlf);
  } else {
    body_part = text_part("plain", crlf_text);
  }

  if (unit(rng_) >= options_.attachment_share) {
    // body_part starts with its own Content-Type lines: they become the
    // message's header fields.
    return absl::StrCat(head, body_part);
  }
  const std::string boundary = absl::StrCat("mix-", count_);
  std::string out = absl::StrCat(
      head, "Content-Type: multipart/mixed; boundary=\"", boundary, "\"",
      kCrlf, kCrlf, "This is a multi-part message in MIME format.", kCrlf,
      "--", boundary, kCrlf, body_part);
  const int attachments = unit(rng_) < 0.2 ? 2 : 1;
  for (int a = 0; a < attachments; ++a) {
    const double kb = std::exp(std::normal_distribution<double>(2.5, 1.2)(rng_));
    std::string bytes(static_cast<size_t>(std::min(kb, options_.max_attachment_kb) * 1024), '\0');
    for (char& c : bytes) c = static_cast<char>(rng_());
    const std::string word = ZipfWord();
    std::string disposition;
    if (IsAscii(word)) {
      disposition = absl::StrCat("attachment; filename=\"report-", word, ".pdf\"");
    } else {
      disposition = absl::StrCat("attachment;", kCrlf,
                                 " filename*=UTF-8''", PercentEncode(absl::StrCat(
                                     "Bericht-", word, ".pdf")));
    }
    absl::StrAppend(&out, "--", boundary, kCrlf,
                    "Content-Type: application/pdf", kCrlf,
                    "Content-Disposition: ", disposition, kCrlf,
                    "Content-Transfer-Encoding: base64", kCrlf, kCrlf,
                    Base64(bytes, true), kCrlf);
  }
  absl::StrAppend(&out, "--", boundary, "--", kCrlf);
  return out;
}

}  // namespace mailroom::bench
