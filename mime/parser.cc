// The structural parser: one forward pass over the raw bytes. Each part is
// parsed where it starts; a part ends at the first line that is a boundary of
// any enclosing multipart (RFC 2046 section 5.1.1: the line ending before a
// boundary line belongs to the boundary), so no byte is scanned for
// boundaries more than once and the work is linear in the message size.
#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "mime/header.h"
#include "mime/message.h"
#include "mime/params.h"

namespace mailroom::mime {
namespace {

// RFC 2046 limits boundaries to 70 characters; longer ones are tolerated up
// to this length and ignored beyond it.
constexpr size_t kMaxBoundaryLength = 1000;

// Which singular fields a header block has set already (first one wins).
struct SeenFields {
  bool type = false;
  bool encoding = false;
};

struct RawField {
  size_t name_begin, name_end, value_begin, value_end;
};

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool IsIdentityEncoding(std::string_view encoding) {
  return encoding.empty() || encoding == "7bit" || encoding == "8bit" ||
         encoding == "binary";
}

// Shrinks every span of `part` and its descendants to end no later than
// `limit` (used when the line ending a header turns out to belong to the
// next boundary).
void ClampSpans(uint64_t limit, Part* part) {
  for (Span* span : {&part->header, &part->body}) {
    uint64_t end = std::min(span->end(), limit);
    span->offset = std::min(span->offset, limit);
    span->size = end - span->offset;
  }
  for (Part& child : part->children) ClampSpans(limit, &child);
}

// One parse of one message: the open boundaries and the part count.
// Not thread-safe; lives for a single Parse() call.
class Parser {
 public:
  Parser(std::string_view raw, const Limits& limits)
      : raw_(raw), limits_(limits) {}

  Message Run() {
    Message message;
    message.size = raw_.size();
    parts_ = 1;
    ParsePart(0, /*digest_child=*/false, 0, &message.root.envelope.emplace(),
              &message.root);
    return message;
  }

 private:
  struct BoundaryMatch {
    size_t index = 0;      // into boundaries_
    bool close = false;    // "--boundary--"
    size_t line_end = 0;   // offset just past the boundary line
  };

  // Is the line starting at `pos` a boundary line of an open multipart?
  // Innermost first.
  bool MatchBoundaryAt(size_t pos, BoundaryMatch* match) const {
    if (pos + 2 > raw_.size() || raw_[pos] != '-' || raw_[pos + 1] != '-')
      return false;
    std::string_view rest = raw_.substr(pos + 2);
    for (size_t i = boundaries_.size(); i-- > 0;) {
      const std::string& b = boundaries_[i];
      if (rest.size() < b.size() || std::memcmp(rest.data(), b.data(), b.size()))
        continue;
      size_t r = pos + 2 + b.size();
      bool close = r + 1 < raw_.size() && raw_[r] == '-' && raw_[r + 1] == '-';
      if (close) r += 2;
      size_t eol = r;
      while (eol < raw_.size() && (raw_[eol] == ' ' || raw_[eol] == '\t')) ++eol;
      if (eol < raw_.size() && raw_[eol] == '\r') ++eol;
      if (!close && eol < raw_.size() && raw_[eol] != '\n') continue;
      const void* nl = std::memchr(raw_.data() + r, '\n', raw_.size() - r);
      match->index = i;
      match->close = close;
      match->line_end =
          nl ? static_cast<const char*>(nl) - raw_.data() + 1 : raw_.size();
      return true;
    }
    return false;
  }

  // The start of the first boundary line at or after `from` (a line start),
  // or raw_.size(). Searching for '-' skips base64 and most text quickly.
  size_t FindBoundary(size_t from, BoundaryMatch* match) const {
    if (boundaries_.empty()) return raw_.size();
    size_t p = from;
    while (p < raw_.size()) {
      const void* dash = std::memchr(raw_.data() + p, '-', raw_.size() - p);
      if (dash == nullptr) return raw_.size();
      size_t q = static_cast<const char*>(dash) - raw_.data();
      if ((q == from || raw_[q - 1] == '\n') && MatchBoundaryAt(q, match))
        return q;
      // Skip the rest of a dash run: only its first dash can start a line.
      p = q + 1;
      while (p < raw_.size() && raw_[p] == '-') ++p;
    }
    return raw_.size();
  }

  // Where a part starting at `start` ends when the next boundary line (or
  // the end of the message) is at `stop`.
  size_t EndBefore(size_t start, size_t stop) const {
    if (stop >= raw_.size()) return raw_.size();
    size_t e = stop;
    if (e > start && raw_[e - 1] == '\n') {
      --e;
      if (e > start && raw_[e - 1] == '\r') --e;
    }
    return e;
  }

  // Scans the header block at `start`. Returns where it ends: past the blank
  // line, or at the first line that is a boundary, exceeds a limit, or at
  // the end of the message.
  size_t ScanHeader(size_t start, std::vector<RawField>* fields) const {
    size_t p = start;
    size_t field_count = 0;
    while (p < raw_.size()) {
      char c = raw_[p];
      BoundaryMatch m;
      if (c == '-' && !boundaries_.empty() && MatchBoundaryAt(p, &m)) return p;
      const void* nl = std::memchr(raw_.data() + p, '\n', raw_.size() - p);
      size_t e = nl ? static_cast<const char*>(nl) - raw_.data() + 1
                    : raw_.size();
      if (c == '\n' || (c == '\r' && p + 1 < raw_.size() && raw_[p + 1] == '\n'))
        return e;  // the blank line ends the header
      if (e - start > limits_.max_header_bytes) return p;
      size_t value_end = e;
      if (value_end > p && raw_[value_end - 1] == '\n') --value_end;
      if (value_end > p && raw_[value_end - 1] == '\r') --value_end;
      if ((c == ' ' || c == '\t') && field_count > 0) {
        if (!fields->empty()) fields->back().value_end = value_end;
      } else {
        if (static_cast<int>(field_count) >= limits_.max_header_fields)
          return p;
        ++field_count;
        const void* colon = std::memchr(raw_.data() + p, ':', value_end - p);
        if (colon != nullptr) {
          size_t cpos = static_cast<const char*>(colon) - raw_.data();
          size_t name_end = cpos;
          while (name_end > p &&
                 (raw_[name_end - 1] == ' ' || raw_[name_end - 1] == '\t'))
            --name_end;
          fields->push_back(RawField{p, name_end, cpos + 1, value_end});
        }
      }
      p = e;
    }
    return raw_.size();
  }

  // Parses the part at `start` into `part`; returns the start of the
  // boundary line that ends it, or raw_.size().
  size_t ParsePart(size_t start, bool digest_child, int depth,
                   EnvelopeFields* envelope, Part* part) {
    std::vector<RawField> fields;
    size_t header_end = ScanHeader(start, &fields);

    SeenFields seen;
    ContentType content_type;
    for (const RawField& f : fields) {
      std::string_view name =
          raw_.substr(f.name_begin, f.name_end - f.name_begin);
      std::string_view value =
          raw_.substr(f.value_begin, f.value_end - f.value_begin);
      if (StartsWithIgnoreCase(name, "content-")) {
        ApplyContentField(name.substr(8), value, &seen, &content_type, part);
      } else if (envelope != nullptr) {
        ApplyEnvelopeField(name, value, envelope);
      }
    }
    if (seen.type && content_type.valid) {
      part->type = std::move(content_type.type);
      part->subtype = std::move(content_type.subtype);
    } else if (!seen.type && digest_child) {
      part->type = "message";
      part->subtype = "rfc822";
    }
    if (seen.type) part->type_params = std::move(content_type.params);

    size_t body_start = header_end;
    size_t stop;
    bool nest = depth < limits_.max_depth && parts_ < limits_.max_parts;
    const std::string* boundary =
        part->is_multipart() ? FindParam(part->type_params, "boundary")
                             : nullptr;
    if (nest && boundary != nullptr && !boundary->empty() &&
        boundary->size() <= kMaxBoundaryLength) {
      stop = ParseMultipartBody(body_start, *boundary,
                                part->subtype == "digest", depth, part);
    } else if (nest && part->is_message() &&
               IsIdentityEncoding(part->encoding)) {
      part->children.emplace_back();
      ++parts_;
      stop = ParsePart(body_start, false, depth + 1,
                       &part->envelope.emplace(), &part->children.back());
    } else {
      BoundaryMatch m;
      stop = FindBoundary(body_start, &m);
      if (part->is_multipart()) {
        // A multipart without a usable boundary still has one part for IMAP
        // to show: its whole body as text.
        part->children.emplace_back();
        Part& only = part->children.back();
        ++parts_;
        size_t end = EndBefore(body_start, stop);
        only.header = Span{body_start, 0};
        only.body = Span{body_start, end - body_start};
        only.body_lines = CountLines(only.body);
      }
    }

    size_t end = EndBefore(start, stop);
    if (header_end > end) header_end = end;
    // A part that starts right on the next boundary line is empty, and so
    // is everything inside it: the line break it would need belongs to
    // that boundary (and ends the enclosing part first).
    if (!part->children.empty() && part->children.back().body.end() > end) {
      for (Part& child : part->children) ClampSpans(end, &child);
    }
    part->header = Span{start, header_end - start};
    part->body = Span{header_end, end - header_end};
    if (part->type == "text" || part->type == "message")
      part->body_lines = CountLines(part->body);
    return stop;
  }

  // The body of a multipart: preamble, parts, epilogue.
  size_t ParseMultipartBody(size_t body_start, std::string_view boundary,
                            bool digest, int depth, Part* part) {
    boundaries_.emplace_back(boundary);
    const size_t own = boundaries_.size() - 1;
    BoundaryMatch m;
    size_t pos = body_start;
    size_t first_stop = std::string::npos;
    size_t stop;
    while (true) {
      stop = FindBoundary(pos, &m);
      if (first_stop == std::string::npos) first_stop = stop;
      if (stop >= raw_.size() || m.index != own) {
        // The end of the message or an enclosing boundary: the final
        // boundary is missing.
        boundaries_.pop_back();
        break;
      }
      if (m.close) {
        boundaries_.pop_back();
        stop = FindBoundary(m.line_end, &m);  // skip the epilogue
        break;
      }
      pos = m.line_end;
      if (parts_ >= limits_.max_parts) continue;  // the rest stays unparsed
      part->children.emplace_back();
      ++parts_;
      pos = ParsePart(pos, digest, depth + 1, nullptr, &part->children.back());
    }
    if (part->children.empty()) {
      // No part at all: show the preamble as the only part.
      part->children.emplace_back();
      Part& only = part->children.back();
      ++parts_;
      size_t end = EndBefore(body_start, first_stop);
      only.header = Span{body_start, 0};
      only.body = Span{body_start, end - body_start};
      only.body_lines = CountLines(only.body);
    }
    return stop;
  }

  void ApplyContentField(std::string_view name, std::string_view value,
                         SeenFields* seen, ContentType* content_type,
                         Part* part) {
    // First occurrence wins, as for the envelope.
    if (EqualsIgnoreCase(name, "type")) {
      if (!seen->type) {
        seen->type = true;
        *content_type = ParseContentType(value);
      }
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      if (!seen->encoding) {
        seen->encoding = true;
        std::string encoding = ParseLowerToken(value);
        if (!encoding.empty()) part->encoding = std::move(encoding);
      }
    } else if (EqualsIgnoreCase(name, "disposition")) {
      if (!part->disposition) {
        part->disposition = ParseDisposition(value, &part->disposition_params);
      }
    } else if (EqualsIgnoreCase(name, "id")) {
      if (!part->content_id) part->content_id = Unfold(value);
    } else if (EqualsIgnoreCase(name, "description")) {
      if (!part->description) part->description = Unfold(value);
    } else if (EqualsIgnoreCase(name, "md5")) {
      if (!part->md5) part->md5 = Unfold(value);
    } else if (EqualsIgnoreCase(name, "location")) {
      if (!part->location) part->location = Unfold(value);
    } else if (EqualsIgnoreCase(name, "language")) {
      if (part->language.empty()) part->language = ParseLanguageList(value);
    }
  }

  static void ApplyEnvelopeField(std::string_view name, std::string_view value,
                                 EnvelopeFields* env) {
    std::optional<std::string>* slot = nullptr;
    switch (name.size()) {
      case 2:
        if (EqualsIgnoreCase(name, "to")) slot = &env->to;
        if (EqualsIgnoreCase(name, "cc")) slot = &env->cc;
        break;
      case 3:
        if (EqualsIgnoreCase(name, "bcc")) slot = &env->bcc;
        break;
      case 4:
        if (EqualsIgnoreCase(name, "date")) slot = &env->date;
        if (EqualsIgnoreCase(name, "from")) slot = &env->from;
        break;
      case 6:
        if (EqualsIgnoreCase(name, "sender")) slot = &env->sender;
        break;
      case 7:
        if (EqualsIgnoreCase(name, "subject")) slot = &env->subject;
        break;
      case 8:
        if (EqualsIgnoreCase(name, "reply-to")) slot = &env->reply_to;
        break;
      case 10:
        if (EqualsIgnoreCase(name, "message-id")) slot = &env->message_id;
        break;
      case 11:
        if (EqualsIgnoreCase(name, "in-reply-to")) slot = &env->in_reply_to;
        break;
      default:
        break;
    }
    if (slot != nullptr && !slot->has_value()) *slot = Unfold(value);
  }

  // Text lines of a body: line endings, plus a final unterminated line.
  uint64_t CountLines(Span body) const {
    if (body.size == 0) return 0;
    std::string_view b = raw_.substr(body.offset, body.size);
    uint64_t lines = std::count(b.begin(), b.end(), '\n');
    if (b.back() != '\n') ++lines;
    return lines;
  }

  std::string_view raw_;
  const Limits& limits_;
  std::vector<std::string> boundaries_;  // open multiparts, outermost first
  int parts_ = 0;
};

}  // namespace

Message Parse(std::string_view raw, const Limits& limits) {
  return Parser(raw, limits).Run();
}

}  // namespace mailroom::mime
