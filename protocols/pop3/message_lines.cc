#include "protocols/pop3/message_lines.h"

#include <cstring>

#include "mime/line_ends.h"

namespace mailroom::pop3 {

uint64_t WireSize(std::string_view raw) { return mime::CrlfSize(raw); }

bool MultilineWriter::StartLine() {
  if (limited_ && !in_header_) {
    if (lines_left_ == 0) {
      stopped_ = true;
      return false;
    }
    --lines_left_;
  }
  at_line_start_ = false;
  line_empty_ = true;
  return true;
}

void MultilineWriter::EndLine() {
  if (in_header_ && line_empty_) in_header_ = false;
  at_line_start_ = true;
}

void MultilineWriter::Write(std::string_view chunk) {
  const char* p = chunk.data();
  const char* const end = p + chunk.size();
  // [run, p) is input still to be passed on unchanged.
  const char* run = p;
  auto flush = [&](const char* upto) {
    if (upto > run) sink_(std::string_view(run, upto - run));
  };
  while (p < end && !stopped_) {
    if (pending_cr_) {
      pending_cr_ = false;
      if (*p == '\n') {
        sink_("\r\n");
        run = ++p;
        EndLine();
        continue;
      }
      sink_("\r");  // a bare CR: line content
      line_empty_ = false;
    }
    if (at_line_start_) {
      if (!StartLine()) break;
      if (*p == '.') {
        flush(p);
        sink_(".");
        run = p;  // the dot itself goes out with the run
      }
    }
    const char* nl =
        static_cast<const char*>(std::memchr(p, '\n', end - p));
    if (nl == nullptr) {
      // The rest is content of an unfinished line. A final CR may be the
      // first half of a CRLF split across chunks: hold it back.
      const char* stop = end[-1] == '\r' ? end - 1 : end;
      pending_cr_ = stop != end;
      if (stop > p) line_empty_ = false;
      flush(stop);
      run = p = end;
      break;
    }
    if (nl > p && nl[-1] == '\r') {
      if (nl - 1 > p) line_empty_ = false;  // CRLF: the run goes on
    } else {
      if (nl > p) line_empty_ = false;
      flush(nl);  // bare LF
      sink_("\r\n");
      run = nl + 1;
    }
    p = nl + 1;
    EndLine();
  }
  flush(stopped_ ? p : end);
}

void MultilineWriter::Finish() {
  if (pending_cr_ || (!at_line_start_ && !stopped_)) sink_("\r\n");
  pending_cr_ = false;
  sink_(".\r\n");
}

void AppendMultiline(std::string_view raw, std::optional<uint64_t> body_lines,
                     std::string* out) {
  out->reserve(out->size() + raw.size() + raw.size() / 32 + 8);
  auto append = [out](std::string_view piece) { out->append(piece); };
  MultilineWriter writer(body_lines, append);
  writer.Write(raw);
  writer.Finish();
}

}  // namespace mailroom::pop3
