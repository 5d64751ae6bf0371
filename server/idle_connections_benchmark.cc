// Memory per idle connection of a running mailroomd. Opens N TCP
// connections, reads each greeting (so every session is running), holds
// them idle, and compares the daemon's VmRSS (from /proc/PID/status)
// before and after.
//
//   mailroomd --max_connections_per_ip=0 --imap_port=1143 ... &
//   idle_connections_benchmark --pid=$! --port=1143 --connections=10000
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"

ABSL_FLAG(int, pid, 0, "mailroomd's process id");
ABSL_FLAG(int, port, 143, "port to connect to");
ABSL_FLAG(std::string, host, "127.0.0.1", "IPv4 address to connect to");
ABSL_FLAG(int, connections, 10000, "idle connections to open");
ABSL_FLAG(int, hold_seconds, 3, "how long to hold them before measuring");

namespace {

// VmRSS of `pid` in bytes, or -1.
long long ResidentBytes(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoll(line.substr(6)) * 1024;  // reported in kB
    }
  }
  return -1;
}

int Connect(const sockaddr_in& address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  timeval timeout = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int pid = absl::GetFlag(FLAGS_pid);
  const int count = absl::GetFlag(FLAGS_connections);
  if (pid <= 0 || ResidentBytes(pid) < 0) {
    std::cerr << "--pid must name a running mailroomd\n";
    return 2;
  }
  rlimit limit;
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(absl::GetFlag(FLAGS_port)));
  inet_pton(AF_INET, absl::GetFlag(FLAGS_host).c_str(), &address.sin_addr);

  // Warm up: one session, so one-time allocations are not counted.
  int warm = Connect(address);
  char buffer[4096];
  if (warm < 0 || recv(warm, buffer, sizeof(buffer), 0) <= 0) {
    std::cerr << "cannot connect to the daemon\n";
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const long long before = ResidentBytes(pid);

  std::vector<int> fds;
  fds.reserve(count);
  int greeted = 0;
  for (int i = 0; i < count; ++i) {
    int fd = Connect(address);
    if (fd < 0) {
      std::perror("connect");
      break;
    }
    fds.push_back(fd);
    if (recv(fd, buffer, sizeof(buffer), 0) > 0) ++greeted;
  }
  std::this_thread::sleep_for(
      std::chrono::seconds(absl::GetFlag(FLAGS_hold_seconds)));
  const long long after = ResidentBytes(pid);

  const long long opened = static_cast<long long>(fds.size());
  std::printf("connections opened: %lld (greeted: %d)\n", opened, greeted);
  std::printf("VmRSS before: %lld KiB, after: %lld KiB\n", before / 1024,
              after / 1024);
  if (opened > 0) {
    std::printf("bytes per idle connection: %lld\n",
                (after - before) / opened);
  }
  for (int fd : fds) close(fd);
  close(warm);
  return greeted == count ? 0 : 1;
}
