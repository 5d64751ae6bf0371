#include "server/connection.h"

#include <cstdlib>
#include <future>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/cert_generator.h"
#include "server/tls_context.h"

namespace mailroom::server {
namespace {

using plugin::Task;
using std::chrono::milliseconds;
using WaitResult = plugin::Connection::WaitResult;

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.workers = &workers_;
    env_.shutting_down = &shutting_down_;
    env_.logger = &logger_;
    asio::local::stream_protocol::socket ours(io_);
    asio::local::connect_pair(ours, peer_);
    conn_ = std::make_shared<AsioConnection>(
        Socket(std::move(ours)), asio::make_strand(io_), 7, "peer", &env_);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    conn_.reset();
    work_.reset();
    io_.stop();
    thread_.join();
    workers_.join();
  }

  // Runs `body` as a session on the connection's strand and waits for it.
  void RunSession(std::function<Task<void>(AsioConnection&)> body) {
    std::promise<void> done;
    asio::post(conn_->strand(), [&] {
      plugin::Spawn(body(*conn_), [&] { done.set_value(); });
    });
    ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(20)),
              std::future_status::ready);
  }

  void Send(std::string_view bytes) {
    asio::write(peer_, asio::buffer(bytes.data(), bytes.size()));
  }
  std::string Receive(size_t n) {
    std::string data(n, '\0');
    asio::read(peer_, asio::buffer(data));
    return data;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ =
      asio::make_work_guard(io_);
  asio::thread_pool workers_{2};
  std::atomic<bool> shutting_down_{false};
  Logger logger_{&std::cerr};
  ConnectionEnv env_;
  asio::local::stream_protocol::socket peer_{io_};
  std::shared_ptr<AsioConnection> conn_;
  std::thread thread_;
};

TEST_F(ConnectionTest, ReadsLinesWithCrLfOrLf) {
  Send("one\r\ntwo\nthree\r\n");
  std::vector<std::string> lines;
  RunSession([&](AsioConnection& c) -> Task<void> {
    for (int i = 0; i < 3; ++i) {
      absl::StatusOr<std::string> line = co_await c.ReadLine(100, milliseconds(5000));
      lines.push_back(line.ok() ? *line : line.status().ToString());
    }
  });
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(ConnectionTest, OverlongLineIsConsumedAndTheSessionContinues) {
  Send(std::string(100000, 'x') + "\r\nnext\r\n");
  absl::Status first;
  std::string second;
  RunSession([&](AsioConnection& c) -> Task<void> {
    first = (co_await c.ReadLine(1000, milliseconds(5000))).status();
    second = (co_await c.ReadLine(1000, milliseconds(5000))).value_or("error");
  });
  EXPECT_TRUE(absl::IsResourceExhausted(first)) << first;
  EXPECT_EQ(second, "next");
}

TEST_F(ConnectionTest, LineOfExactlyMaxBytesIsAccepted) {
  Send(std::string(10, 'y') + "\r\n" + std::string(11, 'z') + "\r\n");
  absl::StatusOr<std::string> a, b;
  RunSession([&](AsioConnection& c) -> Task<void> {
    a = co_await c.ReadLine(10, milliseconds(5000));
    b = co_await c.ReadLine(10, milliseconds(5000));
  });
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, std::string(10, 'y'));
  EXPECT_TRUE(absl::IsResourceExhausted(b.status()));
}

TEST_F(ConnectionTest, TimesOutAndReportsPeerClose) {
  absl::Status timeout, closed;
  RunSession([&](AsioConnection& c) -> Task<void> {
    timeout = (co_await c.ReadLine(100, milliseconds(50))).status();
  });
  EXPECT_TRUE(absl::IsDeadlineExceeded(timeout)) << timeout;
  peer_.close();
  RunSession([&](AsioConnection& c) -> Task<void> {
    closed = (co_await c.ReadLine(100, milliseconds(5000))).status();
  });
  EXPECT_TRUE(absl::IsUnavailable(closed)) << closed;
}

TEST_F(ConnectionTest, ReadExactlyAfterALine) {
  Send("APPEND {5}\r\nhello world\r\n");
  std::string line, literal, rest;
  RunSession([&](AsioConnection& c) -> Task<void> {
    line = (co_await c.ReadLine(100, milliseconds(5000))).value_or("");
    literal = (co_await c.ReadExactly(5, milliseconds(5000))).value_or("");
    rest = (co_await c.ReadLine(100, milliseconds(5000))).value_or("");
  });
  EXPECT_EQ(line, "APPEND {5}");
  EXPECT_EQ(literal, "hello");
  EXPECT_EQ(rest, " world");
}

TEST_F(ConnectionTest, WritesOnlyOnFlush) {
  absl::Status flushed;
  size_t buffered = 0;
  RunSession([&](AsioConnection& c) -> Task<void> {
    c.Write("* OK ");
    c.Write("ready\r\n");
    buffered = c.buffered_output();
    flushed = co_await c.Flush();
  });
  EXPECT_EQ(buffered, 12u);
  EXPECT_TRUE(flushed.ok());
  EXPECT_EQ(Receive(12), "* OK ready\r\n");
}

TEST_F(ConnectionTest, FlushLargerThanTheSocketBufferArrivesWhole) {
  // Far more than a UNIX socket buffer holds: the first part goes out at
  // once, the rest waits until the peer reads.
  std::string reply;
  for (int i = 0; reply.size() < (8u << 20); ++i) {
    absl::StrAppend(&reply, "line ", i, "\r\n");
  }
  std::string received;
  std::thread reader([&] {
    std::this_thread::sleep_for(milliseconds(100));  // let the buffer fill
    received = Receive(reply.size());
  });
  absl::Status flushed;
  RunSession([&](AsioConnection& c) -> Task<void> {
    c.Write(reply);
    flushed = co_await c.Flush();
  });
  reader.join();
  EXPECT_TRUE(flushed.ok()) << flushed;
  EXPECT_TRUE(received == reply);
}

TEST_F(ConnectionTest, LineArrivingInPiecesIsReadWhole) {
  std::thread writer([&] {
    for (std::string_view piece : {"RETR", " 1", "7\r", "\nNOOP\r\n"}) {
      std::this_thread::sleep_for(milliseconds(30));
      Send(piece);
    }
  });
  std::string first, second;
  RunSession([&](AsioConnection& c) -> Task<void> {
    first = (co_await c.ReadLine(100, milliseconds(5000))).value_or("");
    second = (co_await c.ReadLine(100, milliseconds(5000))).value_or("");
  });
  writer.join();
  EXPECT_EQ(first, "RETR 17");
  EXPECT_EQ(second, "NOOP");
}

TEST_F(ConnectionTest, ShortTimeoutAfterALongOneStillTimesOut) {
  // The deadline timer outlives an operation; a later, shorter deadline
  // must still be enforced rather than the earlier, longer one.
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(50));
    Send("first\r\n");
  });
  absl::StatusOr<std::string> first, second;
  const auto start = std::chrono::steady_clock::now();
  RunSession([&](AsioConnection& c) -> Task<void> {
    first = co_await c.ReadLine(100, milliseconds(600000));
    second = co_await c.ReadLine(100, milliseconds(100));
  });
  writer.join();
  EXPECT_EQ(first.value_or(""), "first");
  EXPECT_TRUE(absl::IsDeadlineExceeded(second.status())) << second.status();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}

TEST_F(ConnectionTest, LongTimeoutAfterAShortOneIsNotCutShort) {
  // The timer set for the short deadline fires during the long wait; it
  // must move on to the current deadline instead of ending the read.
  absl::StatusOr<std::string> first, second;
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    Send("first\r\n");
    std::this_thread::sleep_for(milliseconds(700));
    Send("second\r\n");
  });
  RunSession([&](AsioConnection& c) -> Task<void> {
    first = co_await c.ReadLine(100, milliseconds(300));
    second = co_await c.ReadLine(100, milliseconds(10000));
  });
  writer.join();
  EXPECT_EQ(first.value_or(first.status().ToString()), "first");
  EXPECT_EQ(second.value_or(second.status().ToString()), "second");
}

TEST_F(ConnectionTest, WakeBeforeWaitIsNotLost) {
  conn_->Wake();
  WaitResult result = WaitResult::kTimeout;
  RunSession([&](AsioConnection& c) -> Task<void> {
    result = co_await c.WaitForInput(milliseconds(10000));
  });
  EXPECT_EQ(result, WaitResult::kWoken);
}

TEST_F(ConnectionTest, WakeFromAnotherThreadInterruptsAWait) {
  std::vector<WaitResult> results;
  std::thread waker([this] {
    std::this_thread::sleep_for(milliseconds(100));
    conn_->Wake();
  });
  RunSession([&](AsioConnection& c) -> Task<void> {
    results.push_back(co_await c.WaitForInput(milliseconds(20000)));
    results.push_back(co_await c.WaitForInput(milliseconds(30)));
  });
  waker.join();
  EXPECT_EQ(results,
            (std::vector<WaitResult>{WaitResult::kWoken, WaitResult::kTimeout}));
}

TEST_F(ConnectionTest, WaitReturnsInputAndTheInputIsStillReadable) {
  WaitResult result = WaitResult::kTimeout;
  std::string line;
  std::thread writer([this] {
    std::this_thread::sleep_for(milliseconds(50));
    Send("DONE\r\n");
  });
  RunSession([&](AsioConnection& c) -> Task<void> {
    result = co_await c.WaitForInput(milliseconds(20000));
    line = (co_await c.ReadLine(100, milliseconds(5000))).value_or("");
  });
  writer.join();
  EXPECT_EQ(result, WaitResult::kInput);
  EXPECT_EQ(line, "DONE");
}

TEST_F(ConnectionTest, ShutdownCancelsAWaitForACommand) {
  absl::Status status;
  std::thread stopper([this] {
    std::this_thread::sleep_for(milliseconds(100));
    shutting_down_ = true;
    conn_->NotifyShutdown();
  });
  RunSession([&](AsioConnection& c) -> Task<void> {
    status = (co_await c.ReadLine(100, milliseconds(20000))).status();
  });
  stopper.join();
  EXPECT_TRUE(absl::IsCancelled(status)) << status;
  EXPECT_TRUE(conn_->shutting_down());
}

TEST_F(ConnectionTest, ShutdownDoesNotCutAPartlyReceivedCommand) {
  Send("PARTIAL");
  absl::StatusOr<std::string> line;
  std::thread helper([this] {
    std::this_thread::sleep_for(milliseconds(100));
    shutting_down_ = true;
    conn_->NotifyShutdown();
    std::this_thread::sleep_for(milliseconds(100));
    Send(" END\r\n");
  });
  RunSession([&](AsioConnection& c) -> Task<void> {
    line = co_await c.ReadLine(100, milliseconds(20000));
  });
  helper.join();
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, "PARTIAL END");
}

TEST_F(ConnectionTest, RunBlockingRunsOnTheWorkerAndResumesOnTheStrand) {
  std::thread::id worker_thread, session_thread;
  bool on_strand_after = false;
  RunSession([&](AsioConnection& c) -> Task<void> {
    session_thread = std::this_thread::get_id();
    int value = co_await plugin::Blocking(c, [&] {
      worker_thread = std::this_thread::get_id();
      return 42;
    });
    on_strand_after = c.strand().running_in_this_thread() && value == 42;
  });
  EXPECT_NE(worker_thread, session_thread);
  EXPECT_TRUE(on_strand_after);
}

TEST_F(ConnectionTest, StartTlsIsRefusedWithoutTlsOrWithPipelinedInput) {
  absl::Status without_tls;
  RunSession([&](AsioConnection& c) -> Task<void> {
    without_tls = co_await c.StartTls();
  });
  EXPECT_TRUE(absl::IsFailedPrecondition(without_tls));
  EXPECT_FALSE(conn_->tls_available());

  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string base = std::string(dir ? dir : "/tmp") + "/conn";
  ASSERT_TRUE(
      GenerateSelfSignedCert({}, base + ".pem", base + ".key").ok());
  auto context = MakeServerTlsContext(base + ".pem", base + ".key");
  ASSERT_TRUE(context.ok());
  env_.tls_context = [c = *context] { return c; };
  EXPECT_TRUE(conn_->tls_available());

  // "STARTTLS" and an injected command arrive in one packet.
  Send("STARTTLS\r\nINJECTED\r\n");
  absl::Status injected;
  RunSession([&](AsioConnection& c) -> Task<void> {
    (void)co_await c.ReadLine(100, milliseconds(5000));
    injected = co_await c.StartTls();
  });
  EXPECT_TRUE(absl::IsFailedPrecondition(injected)) << injected;
  EXPECT_FALSE(conn_->tls_active());
}

}  // namespace
}  // namespace mailroom::server
