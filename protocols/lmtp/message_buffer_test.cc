#include "protocols/lmtp/message_buffer.h"

#include "gtest/gtest.h"

namespace mailroom::lmtp {
namespace {

TEST(MessageBufferTest, DataLinesAreUnstuffedWithCrlf) {
  MessageBuffer buffer(1000);
  buffer.AddDataLine("Subject: x");
  buffer.AddDataLine("");
  buffer.AddDataLine("..leading dot");
  buffer.AddDataLine(".");  // a stuffed lone dot is not the end
  EXPECT_FALSE(buffer.too_big());
  EXPECT_EQ(buffer.Take(false), "Subject: x\r\n\r\n.leading dot\r\n\r\n");
}

TEST(MessageBufferTest, StopsStoringPastTheLimitButKeepsCounting) {
  MessageBuffer buffer(10);
  buffer.AddBytes("12345");
  EXPECT_FALSE(buffer.too_big());
  buffer.AddBytes("678901");
  EXPECT_TRUE(buffer.too_big());
  buffer.AddBytes("more");
  EXPECT_EQ(buffer.received(), 15u);
  EXPECT_EQ(buffer.Take(true), "");
}

TEST(MessageBufferTest, ExactlyAtTheLimitIsFine) {
  MessageBuffer buffer(4);
  buffer.AddBytes("1234");
  EXPECT_FALSE(buffer.too_big());
  EXPECT_EQ(buffer.Take(false), "1234");
}

TEST(MessageBufferTest, ChunksKeepBytesUnlessCrlfAsked) {
  MessageBuffer binary(100);
  binary.AddBytes("a\nb\r");
  binary.AddBytes("\nc");
  EXPECT_EQ(binary.Take(false), "a\nb\r\nc");
  MessageBuffer text(100);
  text.AddBytes("a\nb\r");
  text.AddBytes("\nc\n");
  EXPECT_EQ(text.Take(true), "a\r\nb\r\nc\r\n");
}

TEST(MessageBufferTest, TraceHeaders) {
  TraceInfo info;
  info.reverse_path = "s@x";
  info.delivered_to = "u@y";
  info.helo = "mta";
  info.peer = "127.0.0.1";
  info.hostname = "mx";
  info.session_id = "7";
  info.date = "Sun, 22 Nov 2026 01:00:00 +0000";
  EXPECT_EQ(TraceHeaders(info),
            "Return-Path: <s@x>\r\nDelivered-To: u@y\r\n"
            "Received: from mta (127.0.0.1)\r\n\tby mx (Mailroom) with LMTP "
            "id 7;\r\n\tSun, 22 Nov 2026 01:00:00 +0000\r\n");
  info.delivered_to.reset();
  info.reverse_path = "";
  std::string headers = TraceHeaders(info);
  EXPECT_EQ(headers.find("Delivered-To"), std::string::npos);
  EXPECT_EQ(headers.rfind("Return-Path: <>\r\n", 0), 0u);
}

}  // namespace
}  // namespace mailroom::lmtp
