// ListSourceFolders against a scripted IMAP server on loopback: namespaces
// (other users' and shared ones left out and reported), '/' separator with
// an empty personal prefix, plain LIST attributes for special-use, LSUB
// for subscriptions, \Noselect parents, literals and modified UTF-7.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "migrate/imap_client.h"
#include "migrate/imap_source.h"

namespace mailroom::migrate {
namespace {

// Answers each command whose name (after the tag) starts with a key of
// `script` with that text, then "TAG OK done".
class ScriptedServer {
 public:
  explicit ScriptedServer(std::map<std::string, std::string> script)
      : script_(std::move(script)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(listener_, 1);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    thread_.join();
    close(listener_);
  }
  int port() const { return port_; }

 private:
  void Serve() {
    const int fd = accept(listener_, nullptr, nullptr);
    Send(fd, "* OK [CAPABILITY IMAP4rev1 LITERAL+ NAMESPACE] ready\r\n");
    std::string buffer;
    char chunk[4096];
    for (;;) {
      const size_t end = buffer.find("\r\n");
      if (end == std::string::npos) {
        const ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
        continue;
      }
      const std::string line = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      const std::string tag = line.substr(0, line.find(' '));
      const std::string command = line.substr(tag.size() + 1);
      for (const auto& [prefix, answer] : script_) {
        if (absl::StartsWith(command, prefix)) Send(fd, answer);
      }
      Send(fd, absl::StrCat(tag, " OK done\r\n"));
      if (command == "LOGOUT") break;
    }
    close(fd);
  }
  static void Send(int fd, const std::string& text) {
    (void)!write(fd, text.data(), text.size());
  }

  std::map<std::string, std::string> script_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(ListSourceFolders, TranslatesNamesAndSkipsForeignNamespaces) {
  ScriptedServer server({
      {"CAPABILITY", "* CAPABILITY IMAP4rev1 LITERAL+ NAMESPACE\r\n"},
      {"NAMESPACE",
       "* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) "
       "((\"Shared/\" \"/\"))\r\n"},
      {"LIST",
       "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
       "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n"
       "* LIST (\\Noselect \\HasChildren) \"/\" A\r\n"
       "* LIST (\\HasNoChildren) \"/\" A/B\r\n"
       "* LIST (\\HasNoChildren \\All) \"/\" \"All Mail\"\r\n"
       "* LIST () \"/\" {14}\r\nEntw&APw-rfe/x\r\n"
       "* LIST () \"/\" \"Other Users/bob/INBOX\"\r\n"
       "* LIST () \"/\" Shared/team\r\n"},
      {"LSUB", "* LSUB () \"/\" A/B\r\n* LSUB () \"/\" INBOX\r\n"},
  });
  Endpoint endpoint{"127.0.0.1", server.port()};
  absl::StatusOr<std::unique_ptr<ImapClient>> client =
      ImapClient::Login(endpoint, "user", "pass word\"");
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<SourceListing> listing = ListSourceFolders(**client);
  (*client)->Logout();
  ASSERT_TRUE(listing.ok()) << listing.status();
  std::map<std::string, SourceFolder> by_name;
  for (const SourceFolder& f : listing->folders) by_name[f.local_name] = f;
  ASSERT_EQ(by_name.size(), 6u);
  EXPECT_TRUE(by_name.count("INBOX"));
  EXPECT_TRUE(by_name["INBOX"].subscribed);
  EXPECT_EQ(by_name["Sent Items"].special_use, "Sent");
  EXPECT_FALSE(by_name["A"].selectable);
  EXPECT_TRUE(by_name["A/B"].subscribed);
  EXPECT_FALSE(by_name["A/B"].special_use.has_value());
  EXPECT_EQ(by_name["Entw\xc3\xbc" "rfe/x"].source_name, "Entw&APw-rfe/x");
  EXPECT_TRUE(by_name.count("All Mail"));
  const std::string notes = absl::StrJoin(listing->notes, "\n");
  EXPECT_TRUE(absl::StrContains(notes, "Other Users/")) << notes;
  EXPECT_TRUE(absl::StrContains(notes, "Shared/")) << notes;
  EXPECT_TRUE(absl::StrContains(notes, "\\All")) << notes;
}

}  // namespace
}  // namespace mailroom::migrate
