#include "mailio/mbox_writer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace mailroom::mailio {
namespace {

bool NeedsQuoting(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == '>') ++i;
  return line.substr(i).substr(0, 5) == "From ";
}

}  // namespace

std::string FormatFromLine(int64_t internal_date) {
  return absl::StrCat(
      "From MAILER-DAEMON ",
      absl::FormatTime("%a %b %e %H:%M:%S %Y",
                       absl::FromUnixSeconds(internal_date),
                       absl::UTCTimeZone()));
}

void MboxWriter::Write(int64_t internal_date, std::string_view data,
                       std::string_view extra_headers) {
  buffer_.clear();
  absl::StrAppend(&buffer_, FormatFromLine(internal_date), "\n");
  bool in_header = true;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    const bool has_end = end != std::string_view::npos;
    if (!has_end) end = data.size();
    std::string_view line = data.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = has_end ? end + 1 : end;
    if (in_header && line.empty()) {
      buffer_.append(extra_headers);
      in_header = false;
    }
    if (NeedsQuoting(line)) buffer_.push_back('>');
    buffer_.append(line);
    buffer_.push_back('\n');
  }
  if (in_header) {
    // No body separator: the headers still belong to the header section.
    buffer_.append(extra_headers);
  }
  buffer_.push_back('\n');
  out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
}

}  // namespace mailroom::mailio
