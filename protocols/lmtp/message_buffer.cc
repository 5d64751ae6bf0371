#include "protocols/lmtp/message_buffer.h"

#include <utility>

namespace mailroom::lmtp {

void MessageBuffer::Append(std::string_view bytes) {
  received_ += bytes.size();
  if (too_big()) {
    std::string().swap(data_);
    return;
  }
  data_.append(bytes);
}

void MessageBuffer::AddDataLine(std::string_view line) {
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);
  Append(line);
  Append("\r\n");
}

void MessageBuffer::AddBytes(std::string_view bytes) { Append(bytes); }

std::string MessageBuffer::Take(bool crlf) {
  std::string data = std::exchange(data_, {});
  if (too_big() || !crlf) return too_big() ? std::string() : data;
  std::string out;
  out.reserve(data.size() + data.size() / 64);
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) out.push_back('\r');
    out.push_back(data[i]);
  }
  return out;
}

std::string TraceHeaders(const TraceInfo& info) {
  std::string out = "Return-Path: <" + info.reverse_path + ">\r\n";
  if (info.delivered_to.has_value()) {
    out += "Delivered-To: " + *info.delivered_to + "\r\n";
  }
  out += "Received: from " + (info.helo.empty() ? "unknown" : info.helo) +
         " (" + info.peer + ")\r\n\tby " + info.hostname +
         " (Mailroom) with LMTP id " + info.session_id + ";\r\n\t" +
         info.date + "\r\n";
  return out;
}

}  // namespace mailroom::lmtp
