// mailroomd: the Mailroom daemon. Loads the protocol plugins, opens the
// store, and serves IMAP, POP3 and LMTP (and any other plugin) until SIGTERM.
//
// Configuration: command-line flags, or a config file (--config=FILE) of
// "key = value" lines using the same names; flags given on the command line
// override the file. Keys:
//   data_dir              the node's directory, created if missing (./data):
//                         the RocksDB store, the full-text index, sockets.
//                         The daemon runs with umask 077: everything it
//                         creates is private to its user (0700/0600)
//   store                 storage engine: rocksdb (default) or rados
//   min_free_disk_bytes   rocksdb: writes get a temporary error (LMTP 452,
//                         IMAP NO [LIMIT]) while less than this is free on
//                         the store's file system, and resume by themselves
//                         once there is room (67108864; 0 = off)
//   index_commit_delay_ms  how long index work queued by delivery gathers
//                         before the background indexer applies it in one
//                         commit (500; 0 = at once, max 60000). Text
//                         searches catch the index up themselves and never
//                         wait for it; the queue is durable
//   rados_conf            with rados: the cluster's ceph.conf
//   rados_pool            RADOS pool (mailroom)
//   rados_namespace       RADOS namespace, one per installation ("")
//   rados_user            RADOS client id, client.ID (admin)
//   rados_op_timeout_seconds  a RADOS operation gives up after this long and
//                         the client gets a temporary error (30)
//   listen                addresses IMAP, POP3, ManageSieve and extra
//                         listeners listen on, comma-separated (0.0.0.0);
//                         not LMTP
//   imap_port             IMAP with STARTTLS (143); 0 turns it off
//   imaps_port            IMAP over implicit TLS (993)
//   pop3_port             POP3 with STLS (110)
//   pop3s_port            POP3 over implicit TLS (995)
//   lmtp_port             LMTP over TCP (24)
//   managesieve_port      ManageSieve (RFC 5804) with STARTTLS (4190; 0 =
//                         off); off with a log line when the managesieve
//                         plugin is not in the plugin directories
//   lmtp_listen           addresses LMTP listens on, comma-separated
//                         (127.0.0.1,::1; ::1 is skipped where the host has
//                         no IPv6). LMTP has no authentication: whoever can
//                         connect can deliver to every mailbox
//   lmtp_socket           LMTP over a UNIX socket at this path (off)
//   lmtp_socket_mode      permissions of that socket, octal (0660: the MTA
//                         connects through the daemon's group)
//   extra_listeners       more plugins: NAME:PORT[:TLSPORT],... (none)
//   plugin_dir            plugin directories, comma-separated (default: the
//                         Bazel-built plugins next to this binary)
//   tls_cert, tls_key     PEM certificate chain and key; without them the
//                         TLS listeners are off and STARTTLS is not offered.
//                         SIGHUP re-reads them.
//   tls_min_version       oldest TLS version accepted: 1.2 or 1.3 (1.2)
//   tls_ciphers           OpenSSL cipher list for TLS 1.2 (forward-secret
//                         AEAD only: ECDHE/DHE with AES-GCM or ChaCha20)
//   tls_ciphersuites      TLS 1.3 suites (TLS_AES_256_GCM_SHA384:
//                         TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256)
//   allow_plaintext_auth  allow PLAIN/LOGIN/USER+PASS without TLS (false)
//   compress              offer COMPRESS=DEFLATE (RFC 4978) to IMAP clients
//                         after login (true)
//   compress_level        zlib level of what the server sends, 0..9 (6)
//   compress_window_bits  the server compressor's window, 9..15 (12: 4 KiB);
//                         with compress_memory_level it sets the memory of
//                         a compressed session: 2^(bits+2) + 2^(level+9)
//                         bytes, plus ~40 KiB for decompressing what the
//                         client sends (its window is the client's choice)
//   compress_memory_level  the server compressor's hash size, 1..9 (5)
//   login_cache_seconds   how long a verified password spares the slow hash
//                         on the next login of that user (300; 0 = off)
//   auth_failures_per_address  failed logins a client address (IPv6: its
//                         /64) may make before it is refused without a
//                         password check; refilled over the window (10)
//   auth_failures_per_user  failed logins on one account, from anywhere,
//                         before the account is closed to addresses that
//                         failed within the window (30); addresses without
//                         recent failures are still checked
//   auth_failure_window_seconds  time in which a full failure budget
//                         drains again (300)
//   auth_throttle_entries  addresses and accounts the throttle remembers;
//                         the least recently used are dropped (100000)
//   auth_hash_threads     threads that run password hashing (2)
//   auth_hash_queue       password checks that may wait for those threads;
//                         beyond it logins fail at once with a temporary
//                         error (32)
//   auth_max_user_bytes   longest user name a login may carry (255)
//   oauth_issuers         a file, or a directory of *.conf files, naming the
//                         OAuth issuers whose JWT access tokens log users in
//                         with SASL OAUTHBEARER and XOAUTH2 (none: both off);
//                         see server/auth/oauth_issuers.h
//   oauth_leeway_seconds  clock difference allowed on a token's exp, nbf
//                         and iat (60)
//   oauth_max_token_bytes longest access token accepted (16384)
//   oauth_jwks_check_seconds  how often an issuer's JWKS file is checked for
//                         a change (key rotation) (30)
//   hostname              name in greetings (this machine's host name)
//   local_domains         domains LMTP accepts, comma-separated (localhost)
//   max_line_bytes        longest command line (65536)
//   max_literal_bytes     longest literal, i.e. message size (52428800)
//   max_command_bytes     a whole IMAP command with its literals, other than
//                         APPEND (1048576)
//   max_append_bytes      a whole IMAP APPEND, all MULTIAPPEND messages
//                         together (67108864; at least max_literal_bytes
//                         plus max_line_bytes)
//   max_preauth_command_bytes  a command (or SASL response) before login,
//                         literals included (65536)
//   max_preauth_literal_bytes  one IMAP literal before login (4096)
//   idle_timeout_seconds  authenticated idle timeout (1800)
//   unauthenticated_timeout_seconds  IMAP/POP3: login must succeed this long
//                         after connecting, however busy the client (60)
//   lmtp_lhlo_timeout_seconds  LMTP: LHLO must arrive this long after
//                         connecting (30)
//   lmtp_data_timeout_seconds  LMTP: longest wait for the next piece of a
//                         message body (60)
//   lmtp_max_recipients   recipients per LMTP transaction (1000)
//   max_connections_per_ip  concurrent connections per client IP (100; 0 =
//                         unlimited)
//   inbox_retention_days  INBOX messages are deleted this many days after
//                         their arrival (0: never)
//   pop3_expire_days      POP3 messages are deleted this many days after
//                         their first retrieval (0: never)
//   plugin_options        extra plugin settings, KEY=VALUE,... (none). IMAP
//                         bounds one command while parsing it (BAD past one):
//     imap.max_search_keys          keys in one SEARCH/SORT/THREAD (1000)
//     imap.max_nesting_depth        nesting of (), NOT, OR (64)
//     imap.max_sequence_set_elements  set elements per set, and summed over
//                                   a command's search criteria (100000)
//     imap.max_flags                flags in one STORE or APPEND (1000)
//     imap.max_fetch_attributes     attributes in one FETCH (1000)
//     imap.max_list_pattern_bytes   one LIST/LSUB pattern (1024)
//     imap.max_catenate_parts       TEXT and URL parts of one CATENATE
//                                   message (100)
//     imap.notify_max_pending       queued NOTIFY events (10000)
//     imap.max_search_contexts      live SEARCH/SORT RETURN (UPDATE) results
//                                   per session; past it: NOUPDATE (10)
//     imap.idle_keepalive_seconds   "* OK Still here" to an IDLE client this
//                                   often (120; 0 = off); it does not move
//                                   the IDLE's autologout
//     imap.max_metadata_entries     entries in one GETMETADATA or
//                                   SETMETADATA (1000)
//     imap.closed_mailbox_cache_mb  memory for the copies of mailboxes no
//                                   session has selected any more, kept so
//                                   that the next SELECT costs only the
//                                   changes since (128; 0 = none)
//     imap.closed_mailbox_cache_seconds  how long such a copy is kept
//                                   after its last use (600)
//     lmtp.sieve                    run the Sieve scripts (global before,
//                                   the user's active one, global after) at
//                                   LMTP delivery (true)
//     lmtp.sieve_max_actions        actions of one script run (32); past it
//                                   the run fails and the message is kept
//     lmtp.sieve_max_redirects      redirects of one script run (4)
//     lmtp.sieve_max_steps          commands, tests and comparisons of one
//                                   script run (200000)
//     lmtp.sieve_max_include_depth  nesting of Sieve include (8)
//     lmtp.sieve_cache_scripts      compiled scripts the daemon keeps (1000)
//   metadata_max_entry_bytes  longest annotation value (RFC 5464 METADATA;
//                         SETMETADATA answers NO [METADATA MAXSIZE n]) (65536)
//   metadata_max_entries  annotations per owner charged: a user for their
//                         /private ones and the /shared ones of their
//                         mailboxes, the server for its /shared ones
//                         (1000; past it NO [METADATA TOOMANY])
//   metadata_max_total_bytes  bytes of annotation names and values per
//                         owner charged (1048576; NO [METADATA TOOMANY])
//   max_keywords_per_mailbox  distinct keywords a mailbox may hold (1000;
//                         0 = no limit); past it STORE, APPEND, COPY and MOVE
//                         get NO [LIMIT], delivery drops the new keywords
//   search_columns_mb     memory for the per-mailbox columns of internal
//                         dates, save dates and sizes that answer BEFORE/ON/
//                         SINCE, OLDER/YOUNGER, SAVED* and LARGER/SMALLER
//                         without reading message records (256; about 40
//                         bytes a message; 0 = none, such keys read records)
//   sieve_max_script_bytes  largest Sieve script a user or admin may store
//                         (65536; past it QUOTA/MAXSIZE)
//   sieve_max_scripts     Sieve scripts per user, and global ones (20;
//                         past it QUOTA/MAXSCRIPTS)
//   sieve_smtp            the SMTP relay HOST:PORT (or [V6]:PORT) that Sieve
//                         redirects and vacation replies leave through
//                         (empty: off; they stay queued in the store, and
//                         the daemon says so once at start)
//   sieve_smtp_tls        verify (STARTTLS required, the relay's certificate
//                         and name checked against the system CAs or
//                         sieve_smtp_ca_file), required (STARTTLS required,
//                         certificate not checked), opportunistic (STARTTLS
//                         when offered, not checked) or none (verify)
//   sieve_smtp_ca_file    PEM CA certificates for verify (system CAs)
//   sieve_smtp_timeout_seconds  longest wait for each relay reply (300)
//   sieve_smtp_poll_ms    how often the queue is looked at for due messages,
//                         this node's and other nodes' (500)
//   sieve_smtp_retry_seconds  first wait after a temporary failure (4xx or
//                         network); doubled per attempt (60)
//   sieve_smtp_max_retry_seconds  longest wait between attempts (3600)
//   sieve_smtp_max_age    a message still not sent this long after it was
//                         queued is dropped, logged: N with s, m, h or d
//                         (5d)
//   outbound_max_queued   messages the outbound queue holds at most; past it
//                         queueing fails (100000)
//   quota_admins          users allowed to set quotas (IMAP SETQUOTA),
//                         comma-separated (none)
//   io_threads            network threads (2)
//   worker_threads        threads for blocking store calls (4)
//   shutdown_grace_seconds  time in-flight commands get after SIGTERM (4)
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "server/admin/admin_commands.h"
#include "server/admin/admin_context.h"
#include "server/admin/admin_protocol.h"
#include "server/auth/authenticator.h"
#include "server/auth/oauth_issuers.h"
#include "server/config_file.h"
#include "server/deflate_stream.h"
#include "server/log.h"
#include "server/outbound/relay_worker.h"
#include "server/outbound/smtp_client.h"
#include "server/plugin_loader.h"
#include "server/server.h"
#include "server/store_options.h"
#include "server/tls_context.h"
#include "store/store.h"

ABSL_FLAG(std::string, config, "", "config file of 'key = value' lines");
ABSL_FLAG(std::string, data_dir, "./data",
          "the node's directory: the RocksDB store, index, sockets");
ABSL_FLAG(std::string, store, "rocksdb", "storage engine: rocksdb or rados");
ABSL_FLAG(std::string, rados_conf, "", "ceph.conf of the RADOS cluster");
ABSL_FLAG(std::string, rados_pool, "mailroom", "RADOS pool");
ABSL_FLAG(std::string, rados_namespace, "",
          "RADOS namespace: one per installation sharing a pool");
ABSL_FLAG(std::string, rados_user, "admin", "RADOS client id (client.ID)");
ABSL_FLAG(uint64_t, min_free_disk_bytes, 64ull << 20,
          "RocksDB: refuse writes (temporary error) while less than this is "
          "free on the store's file system; 0 = off");
ABSL_FLAG(int, index_commit_delay_ms, 500,
          "how long queued index work gathers before the indexer applies it "
          "in one commit; 0 = at once");
ABSL_FLAG(uint64_t, metadata_max_entry_bytes, 64 << 10,
          "longest annotation value (RFC 5464)");
ABSL_FLAG(uint64_t, metadata_max_entries, 1000,
          "annotations per owner charged (user, or the server)");
ABSL_FLAG(uint64_t, metadata_max_total_bytes, 1 << 20,
          "bytes of annotation names and values per owner charged");
ABSL_FLAG(uint64_t, max_keywords_per_mailbox, 1000,
          "distinct keywords a mailbox may hold (0 = no limit)");
ABSL_FLAG(uint64_t, search_columns_mb, 256,
          "memory for per-mailbox date and size search columns (0 = none)");
ABSL_FLAG(uint64_t, sieve_max_script_bytes, 64 << 10,
          "largest Sieve script (bytes)");
ABSL_FLAG(uint64_t, sieve_max_scripts, 20, "Sieve scripts per owner");
ABSL_FLAG(int, rados_op_timeout_seconds, 30,
          "a RADOS operation gives up after this long (temporary errors)");
ABSL_FLAG(std::string, listen, "0.0.0.0",
          "listen addresses of IMAP, POP3 and extra listeners (not LMTP)");
ABSL_FLAG(int, imap_port, 143, "IMAP port (STARTTLS); 0 = off");
ABSL_FLAG(int, imaps_port, 993, "IMAP implicit TLS port; 0 = off");
ABSL_FLAG(int, pop3_port, 110, "POP3 port (STLS); 0 = off");
ABSL_FLAG(int, pop3s_port, 995, "POP3 implicit TLS port; 0 = off");
ABSL_FLAG(int, managesieve_port, 4190,
          "ManageSieve port (STARTTLS); 0 = off");
ABSL_FLAG(int, lmtp_port, 24, "LMTP TCP port; 0 = off");
ABSL_FLAG(std::string, lmtp_listen, "127.0.0.1,::1",
          "LMTP listen addresses, comma-separated (unauthenticated: keep it "
          "to hosts that may deliver)");
ABSL_FLAG(std::string, lmtp_socket, "", "LMTP UNIX socket path; empty = off");
ABSL_FLAG(std::string, lmtp_socket_mode, "0660",
          "LMTP UNIX socket permissions, octal");
ABSL_FLAG(std::string, extra_listeners, "",
          "other plugins: NAME:PORT[:TLSPORT],...");
ABSL_FLAG(std::string, plugin_dir, "",
          "plugin directories, comma-separated (default: next to the binary)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain file");
ABSL_FLAG(std::string, tls_key, "", "PEM private key file");
ABSL_FLAG(std::string, tls_min_version, "1.2",
          "oldest TLS version accepted: 1.2 or 1.3");
ABSL_FLAG(std::string, tls_ciphers, mailroom::server::kDefaultTlsCiphers,
          "OpenSSL cipher list for TLS 1.2");
ABSL_FLAG(std::string, tls_ciphersuites,
          mailroom::server::kDefaultTlsCiphersuites, "TLS 1.3 cipher suites");
ABSL_FLAG(bool, allow_plaintext_auth, false,
          "allow plaintext passwords without TLS");
ABSL_FLAG(int64_t, login_cache_seconds, 300,
          "seconds a verified password spares the slow hash; 0 = off");
ABSL_FLAG(int32_t, auth_failures_per_address, 10,
          "failed logins per client address (IPv6 /64) per window");
ABSL_FLAG(int32_t, auth_failures_per_user, 30,
          "failed logins per account per window before it is closed to "
          "addresses with recent failures");
ABSL_FLAG(int64_t, auth_failure_window_seconds, 300,
          "seconds in which a full failure budget drains");
ABSL_FLAG(int64_t, auth_throttle_entries, 100000,
          "addresses and accounts the login throttle remembers");
ABSL_FLAG(int32_t, auth_hash_threads, 2, "threads for password hashing");
ABSL_FLAG(int32_t, auth_hash_queue, 32,
          "password checks that may wait for a hashing thread");
ABSL_FLAG(int64_t, auth_max_user_bytes, 255, "longest user name at login");
ABSL_FLAG(std::string, oauth_issuers, "",
          "OAuth issuer file or directory of *.conf files; empty = no OAuth");
ABSL_FLAG(int64_t, oauth_leeway_seconds, 60,
          "clock leeway on access token exp/nbf/iat");
ABSL_FLAG(int64_t, oauth_max_token_bytes, 16384, "longest access token");
ABSL_FLAG(int64_t, oauth_jwks_check_seconds, 30,
          "seconds between checks of JWKS files for a change");
ABSL_FLAG(std::string, hostname, "", "host name in greetings");
ABSL_FLAG(std::string, local_domains, "localhost",
          "domains LMTP delivers for, comma-separated");
ABSL_FLAG(int64_t, max_line_bytes, 64 * 1024, "longest command line");
ABSL_FLAG(int64_t, max_literal_bytes, 50 * 1024 * 1024,
          "longest literal (message size limit)");
ABSL_FLAG(int64_t, max_command_bytes, 1024 * 1024,
          "longest IMAP command with its literals, other than APPEND");
ABSL_FLAG(int64_t, max_append_bytes, 64 * 1024 * 1024,
          "longest IMAP APPEND command (all its messages)");
ABSL_FLAG(int64_t, max_preauth_command_bytes, 64 * 1024,
          "longest command or SASL response before login");
ABSL_FLAG(int64_t, max_preauth_literal_bytes, 4096,
          "longest IMAP literal before login");
ABSL_FLAG(int64_t, idle_timeout_seconds, 1800, "authenticated idle timeout");
ABSL_FLAG(bool, compress, true, "offer COMPRESS=DEFLATE after login");
ABSL_FLAG(int, compress_level, 6, "zlib level of compressed output, 0..9");
ABSL_FLAG(int, compress_window_bits, 12,
          "window of the output compressor, 9..15");
ABSL_FLAG(int, compress_memory_level, 5,
          "hash/buffer size of the output compressor, 1..9");
ABSL_FLAG(int64_t, unauthenticated_timeout_seconds, 60,
          "time from connecting to login (a deadline, not per read)");
ABSL_FLAG(int64_t, lmtp_lhlo_timeout_seconds, 30,
          "LMTP: time from connecting to LHLO");
ABSL_FLAG(int64_t, lmtp_data_timeout_seconds, 60,
          "LMTP: longest wait for the next piece of a message body");
ABSL_FLAG(int64_t, lmtp_max_recipients, 1000,
          "recipients per LMTP transaction");
ABSL_FLAG(int, max_connections_per_ip, 100,
          "concurrent connections per client address; 0 = unlimited");
ABSL_FLAG(int, inbox_retention_days, 0,
          "INBOX messages are deleted this many days after arrival; 0 = never");
ABSL_FLAG(int, pop3_expire_days, 0,
          "delete POP3-retrieved messages after N days; 0 = never");
ABSL_FLAG(std::string, plugin_options, "",
          "extra plugin settings, KEY=VALUE,...");
ABSL_FLAG(std::string, quota_admins, "",
          "users allowed to set quotas (IMAP SETQUOTA), comma-separated");
ABSL_FLAG(std::string, sieve_smtp, "",
          "SMTP relay HOST:PORT for Sieve redirect/vacation; empty = off");
ABSL_FLAG(std::string, sieve_smtp_tls, "verify",
          "relay TLS: verify | required | opportunistic | none");
ABSL_FLAG(std::string, sieve_smtp_ca_file, "",
          "PEM CA certificates for sieve_smtp_tls=verify (system CAs)");
ABSL_FLAG(int, sieve_smtp_timeout_seconds, 300,
          "longest wait for each relay reply");
ABSL_FLAG(int64_t, sieve_smtp_poll_ms, 500,
          "how often the outbound queue is looked at");
ABSL_FLAG(int64_t, sieve_smtp_retry_seconds, 60,
          "first wait after a temporary relay failure (doubles)");
ABSL_FLAG(int64_t, sieve_smtp_max_retry_seconds, 3600,
          "longest wait between relay attempts");
ABSL_FLAG(std::string, sieve_smtp_max_age, "5d",
          "drop an unsent outbound message this long after queueing "
          "(N with s, m, h or d)");
ABSL_FLAG(uint64_t, outbound_max_queued, 100000,
          "messages the outbound queue holds at most");
ABSL_FLAG(int, io_threads, 2, "network threads");
ABSL_FLAG(int, worker_threads, 4, "threads for blocking store calls");
ABSL_FLAG(int, shutdown_grace_seconds, 4,
          "how long in-flight commands may run after SIGTERM");

namespace mailroom {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> SplitList(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipWhitespace());
}

// Reads --config and turns its entries into flags that come before the
// real command line, so command-line flags win.
bool ApplyConfigFile(int argc, char** argv, std::vector<std::string>* args) {
  args->push_back(argv[0]);
  const std::string path = server::FindConfigFlag(argc, argv);
  if (!path.empty()) {
    absl::StatusOr<server::ConfigEntries> entries =
        server::ReadConfigFile(path);
    if (!entries.ok()) {
      std::cerr << "mailroomd: " << entries.status().message() << "\n";
      return false;
    }
    for (const auto& [key, value] : *entries) {
      if (key == "config" || absl::FindCommandLineFlag(key) == nullptr) {
        std::cerr << "mailroomd: " << path << ": unknown key '" << key
                  << "'\n";
        return false;
      }
      args->push_back(absl::StrCat("--", key, "=", value));
    }
  }
  for (int i = 1; i < argc; ++i) args->push_back(argv[i]);
  return true;
}

// Without --plugin_dir: the plugins Bazel built next to this binary
// (bazel-bin/tools/mailroomd -> bazel-bin/protocols/*/), or in runfiles.
std::vector<std::string> DefaultPluginDirs() {
  std::vector<std::string> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    roots.push_back((exe.parent_path().parent_path() / "protocols").string());
    roots.push_back(
        (fs::path(exe.string() + ".runfiles") / "mailroom" / "protocols")
            .string());
  }
  for (const char* env : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    if (const char* dir = std::getenv(env)) {
      roots.push_back((fs::path(dir) / "mailroom" / "protocols").string());
    }
  }
  std::vector<std::string> dirs;
  for (const std::string& root : roots) {
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (entry.is_directory()) dirs.push_back(entry.path().string());
    }
  }
  return dirs;
}

std::string HostName() {
  std::string name = absl::GetFlag(FLAGS_hostname);
  if (!name.empty()) return name;
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) == 0 && buffer[0] != '\0') {
    return buffer;
  }
  return "localhost";
}

// 10,000 idle connections need more descriptors than the usual 1024.
void RaiseDescriptorLimit(server::Logger& log) {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    log.Log(absl::StrCat("file descriptor limit: ", limit.rlim_cur));
  }
}

// "90s", "30m", "12h", "5d" or plain seconds; -1 when malformed.
int64_t ParseAgeSeconds(std::string_view text) {
  int64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: unit = 0; break;
    }
    if (unit != 0) text.remove_suffix(1);
    if (unit == 0) unit = 1;
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &n) ||
      n < 0) {
    return -1;
  }
  return n * unit;
}

// The relay worker the sieve_smtp settings ask for; nullptr when off or
// wrong (`error` then says why, or stays empty when off).
std::unique_ptr<server::outbound::RelayWorker> MakeRelayWorker(
    store::Store* store, const std::string& hostname, server::Logger& log,
    std::string* error) {
  const std::string address = absl::GetFlag(FLAGS_sieve_smtp);
  if (address.empty()) return nullptr;
  absl::StatusOr<server::outbound::SmtpRelay> relay =
      server::outbound::ParseRelayAddress(address);
  if (!relay.ok()) {
    *error = std::string(relay.status().message());
    return nullptr;
  }
  absl::StatusOr<server::outbound::SmtpTls> tls =
      server::outbound::ParseSmtpTls(absl::GetFlag(FLAGS_sieve_smtp_tls));
  if (!tls.ok()) {
    *error = std::string(tls.status().message());
    return nullptr;
  }
  server::outbound::RelayWorkerOptions options;
  options.relay = *relay;
  options.relay.tls = *tls;
  options.relay.helo_name = hostname;
  options.relay.ca_file = absl::GetFlag(FLAGS_sieve_smtp_ca_file);
  options.relay.timeout_seconds =
      std::max(1, absl::GetFlag(FLAGS_sieve_smtp_timeout_seconds));
  options.poll_ms = std::max<int64_t>(10, absl::GetFlag(FLAGS_sieve_smtp_poll_ms));
  options.retry_seconds =
      std::max<int64_t>(1, absl::GetFlag(FLAGS_sieve_smtp_retry_seconds));
  options.max_retry_seconds = std::max(
      options.retry_seconds, absl::GetFlag(FLAGS_sieve_smtp_max_retry_seconds));
  options.max_age_seconds =
      ParseAgeSeconds(absl::GetFlag(FLAGS_sieve_smtp_max_age));
  if (options.max_age_seconds < 0) {
    *error = "sieve_smtp_max_age takes N with s, m, h or d (e.g. 5d)";
    return nullptr;
  }
  return std::make_unique<server::outbound::RelayWorker>(
      store, std::move(options),
      [&log](std::string_view message) { log.Log(message); });
}

bool PortFlag(int value, const char* name, uint16_t* port) {
  if (value < 0 || value > 65535) {
    std::cerr << "mailroomd: --" << name << " must be 0..65535\n";
    return false;
  }
  *port = static_cast<uint16_t>(value);
  return true;
}

int Run(int argc, char** argv) {
  std::vector<std::string> args;
  if (!ApplyConfigFile(argc, argv, &args)) return 2;
  std::vector<char*> arg_pointers;
  for (std::string& a : args) arg_pointers.push_back(a.data());
  absl::ParseCommandLine(static_cast<int>(arg_pointers.size()),
                         arg_pointers.data());

  // Mail, indexes, backups and sockets are private to the daemon's user;
  // the LMTP socket's mode is set on purpose below.
  umask(077);
  server::Logger log(&std::cerr);
  std::signal(SIGPIPE, SIG_IGN);
  RaiseDescriptorLimit(log);

  // ---- plugins -----------------------------------------------------------
  std::vector<std::string> plugin_dirs = SplitList(absl::GetFlag(FLAGS_plugin_dir));
  if (plugin_dirs.empty()) plugin_dirs = DefaultPluginDirs();
  absl::StatusOr<std::vector<std::unique_ptr<server::LoadedPlugin>>> plugins =
      server::LoadPlugins(plugin_dirs);
  if (!plugins.ok()) {
    std::cerr << "mailroomd: " << plugins.status().message() << "\n";
    return 1;
  }
  std::map<std::string, const plugin::PluginDescriptor*> descriptors;
  for (const auto& p : *plugins) {
    descriptors[p->name()] = &p->descriptor();
    log.Log(absl::StrCat("plugin ", p->name(), " loaded from ", p->path()));
  }

  // ---- TLS ---------------------------------------------------------------
  std::unique_ptr<server::TlsContextProvider> tls;
  const std::string cert = absl::GetFlag(FLAGS_tls_cert);
  const std::string key = absl::GetFlag(FLAGS_tls_key);
  if (!cert.empty() || !key.empty()) {
    if (cert.empty() || key.empty()) {
      std::cerr << "mailroomd: --tls_cert and --tls_key go together\n";
      return 2;
    }
    server::TlsPolicy policy;
    policy.min_version = absl::GetFlag(FLAGS_tls_min_version);
    policy.ciphers = absl::GetFlag(FLAGS_tls_ciphers);
    policy.ciphersuites = absl::GetFlag(FLAGS_tls_ciphersuites);
    absl::StatusOr<std::unique_ptr<server::TlsContextProvider>> created =
        server::TlsContextProvider::Create(cert, key, std::move(policy));
    if (!created.ok()) {
      std::cerr << "mailroomd: " << created.status().message() << "\n";
      return 1;
    }
    tls = *std::move(created);
    log.Log(absl::StrCat("TLS: certificate ", cert, ", TLS ",
                         absl::GetFlag(FLAGS_tls_min_version), " or newer"));
  } else {
    log.Log("TLS off: no --tls_cert/--tls_key given; implicit-TLS listeners "
            "are off and STARTTLS is not offered");
  }

  // ---- listeners ---------------------------------------------------------
  server::ServerOptions options;
  struct PortSpec {
    const char* plugin;
    int port;
    const char* port_flag;
    bool tls;
    // Off (with a log line) rather than an error when the plugin is absent:
    // listeners added after older setups named their plugin directories.
    bool optional = false;
  };
  const PortSpec specs[] = {
      {"imap", absl::GetFlag(FLAGS_imap_port), "imap_port", false},
      {"imap", absl::GetFlag(FLAGS_imaps_port), "imaps_port", true},
      {"pop3", absl::GetFlag(FLAGS_pop3_port), "pop3_port", false},
      {"pop3", absl::GetFlag(FLAGS_pop3s_port), "pop3s_port", true},
      {"lmtp", absl::GetFlag(FLAGS_lmtp_port), "lmtp_port", false},
      {"managesieve", absl::GetFlag(FLAGS_managesieve_port),
       "managesieve_port", false, true},
  };
  std::vector<std::pair<std::string, std::pair<int, bool>>> wanted;
  for (const PortSpec& spec : specs) {
    uint16_t port = 0;
    if (!PortFlag(spec.port, spec.port_flag, &port)) return 2;
    if (port == 0) continue;
    if (spec.tls && tls == nullptr) {
      log.Log(absl::StrCat(spec.port_flag, " ", port, " off: no TLS"));
      continue;
    }
    if (descriptors.count(spec.plugin) == 0 && spec.optional) {
      log.Log(absl::StrCat(spec.port_flag, " ", port, " off: no ",
                           spec.plugin, " plugin"));
      continue;
    }
    if (descriptors.count(spec.plugin) == 0) {
      std::cerr << "mailroomd: --" << spec.port_flag << "=" << port
                << " needs the '" << spec.plugin
                << "' plugin (libmailroom_" << spec.plugin
                << ".so), which is not in the plugin directories ("
                << (plugin_dirs.empty() ? "none found"
                                        : absl::StrJoin(plugin_dirs, ", "))
                << "); set --" << spec.port_flag
                << "=0 to turn this listener off, or --plugin_dir\n";
      return 1;
    }
    wanted.push_back({spec.plugin, {port, spec.tls}});
  }
  for (const std::string& item : SplitList(absl::GetFlag(FLAGS_extra_listeners))) {
    std::vector<std::string> parts = absl::StrSplit(item, ':');
    int port = 0, tls_port = 0;
    if (parts.size() < 2 || parts.size() > 3 ||
        !absl::SimpleAtoi(parts[1], &port) ||
        (parts.size() == 3 && !absl::SimpleAtoi(parts[2], &tls_port))) {
      std::cerr << "mailroomd: bad --extra_listeners entry '" << item << "'\n";
      return 2;
    }
    if (descriptors.count(parts[0]) == 0) {
      std::cerr << "mailroomd: --extra_listeners needs the '" << parts[0]
                << "' plugin, which is not in the plugin directories\n";
      return 1;
    }
    if (port > 0) wanted.push_back({parts[0], {port, false}});
    if (tls_port > 0 && tls != nullptr) {
      wanted.push_back({parts[0], {tls_port, true}});
    }
  }
  // LMTP takes mail for every mailbox without authentication, so it has
  // its own (loopback) addresses rather than those of the public listeners.
  const std::vector<std::string> public_addresses =
      SplitList(absl::GetFlag(FLAGS_listen));
  const std::vector<std::string> lmtp_addresses =
      SplitList(absl::GetFlag(FLAGS_lmtp_listen));
  for (const auto& [name, port_tls] : wanted) {
    const bool lmtp = name == "lmtp";
    for (const std::string& address :
         lmtp ? lmtp_addresses : public_addresses) {
      server::ListenerConfig listener;
      listener.plugin = name;
      listener.address = address;
      listener.port = static_cast<uint16_t>(port_tls.first);
      listener.implicit_tls = port_tls.second;
      // A host without IPv6 has no ::1; loopback on 127.0.0.1 still works.
      listener.skip_if_unavailable = lmtp && address == "::1";
      options.listeners.push_back(listener);
    }
  }
  const std::string lmtp_socket = absl::GetFlag(FLAGS_lmtp_socket);
  if (!lmtp_socket.empty()) {
    if (descriptors.count("lmtp") == 0) {
      std::cerr << "mailroomd: --lmtp_socket needs the 'lmtp' plugin, which "
                   "is not in the plugin directories\n";
      return 1;
    }
    const std::string mode_text = absl::GetFlag(FLAGS_lmtp_socket_mode);
    char* end = nullptr;
    const unsigned long mode = std::strtoul(mode_text.c_str(), &end, 8);
    if (mode_text.empty() || *end != '\0' || mode > 0777) {
      std::cerr << "mailroomd: --lmtp_socket_mode must be octal 0..0777, not '"
                << mode_text << "'\n";
      return 2;
    }
    server::ListenerConfig listener;
    listener.plugin = "lmtp";
    listener.unix_path = lmtp_socket;
    listener.unix_mode = static_cast<mode_t>(mode);
    options.listeners.push_back(listener);
  }

  // ---- settings plugins see ------------------------------------------------
  plugin::Config& config = options.config;
  config.hostname = HostName();
  config.allow_plaintext_auth = absl::GetFlag(FLAGS_allow_plaintext_auth);
  config.max_line_bytes =
      static_cast<size_t>(std::max<int64_t>(1024, absl::GetFlag(FLAGS_max_line_bytes)));
  config.max_literal_bytes = static_cast<size_t>(
      std::max<int64_t>(1024, absl::GetFlag(FLAGS_max_literal_bytes)));
  auto at_least = [](int64_t floor, int64_t value) {
    return static_cast<size_t>(std::max(floor, value));
  };
  config.max_command_bytes =
      at_least(1024, absl::GetFlag(FLAGS_max_command_bytes));
  // An APPEND of one maximal message must fit.
  config.max_append_bytes =
      std::max(at_least(1024, absl::GetFlag(FLAGS_max_append_bytes)),
               config.max_literal_bytes + config.max_line_bytes);
  config.max_preauth_command_bytes =
      at_least(512, absl::GetFlag(FLAGS_max_preauth_command_bytes));
  config.max_preauth_literal_bytes =
      at_least(0, absl::GetFlag(FLAGS_max_preauth_literal_bytes));
  config.idle_timeout =
      std::chrono::seconds(absl::GetFlag(FLAGS_idle_timeout_seconds));
  config.unauthenticated_timeout = std::chrono::seconds(
      absl::GetFlag(FLAGS_unauthenticated_timeout_seconds));
  config.lmtp_lhlo_timeout =
      std::chrono::seconds(absl::GetFlag(FLAGS_lmtp_lhlo_timeout_seconds));
  config.lmtp_data_timeout =
      std::chrono::seconds(absl::GetFlag(FLAGS_lmtp_data_timeout_seconds));
  config.lmtp_max_recipients =
      at_least(1, absl::GetFlag(FLAGS_lmtp_max_recipients));
  config.local_domains = SplitList(absl::GetFlag(FLAGS_local_domains));
  const int expire_days = std::max(0, absl::GetFlag(FLAGS_pop3_expire_days));
  const int arrival_days =
      std::max(0, absl::GetFlag(FLAGS_inbox_retention_days));
  // POP3 announces the shorter of the two rules (EXPIRE, RFC 2449); 0 there
  // means "never".
  const int announced_days =
      expire_days == 0 ? arrival_days
                       : (arrival_days == 0 ? expire_days
                                            : std::min(expire_days, arrival_days));
  config.options["pop3.expire_days"] = absl::StrCat(announced_days);
  for (const std::string& item : SplitList(absl::GetFlag(FLAGS_plugin_options))) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      std::cerr << "mailroomd: bad --plugin_options entry '" << item << "'\n";
      return 2;
    }
    config.options[item.substr(0, eq)] = item.substr(eq + 1);
  }
  options.compression.enabled = absl::GetFlag(FLAGS_compress);
  options.compression.level = absl::GetFlag(FLAGS_compress_level);
  options.compression.window_bits = absl::GetFlag(FLAGS_compress_window_bits);
  options.compression.memory_level =
      absl::GetFlag(FLAGS_compress_memory_level);
  if (absl::Status s = server::DeflateStream::Validate(options.compression);
      !s.ok()) {
    std::cerr << "mailroomd: " << s.message() << "\n";
    return 2;
  }
  options.max_connections_per_ip = static_cast<size_t>(
      std::max(0, absl::GetFlag(FLAGS_max_connections_per_ip)));
  options.io_threads = absl::GetFlag(FLAGS_io_threads);
  options.worker_threads = absl::GetFlag(FLAGS_worker_threads);
  options.shutdown_grace =
      std::chrono::seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds));

  // ---- store -------------------------------------------------------------
  const std::string data_dir = absl::GetFlag(FLAGS_data_dir);
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    std::cerr << "mailroomd: cannot create data dir " << data_dir << ": "
              << ec.message() << "\n";
    return 1;
  }
  struct stat data_dir_stat;
  if (stat(data_dir.c_str(), &data_dir_stat) == 0 &&
      (data_dir_stat.st_mode & 077) != 0) {
    std::ostringstream mode;
    mode << std::oct << (data_dir_stat.st_mode & 0777);
    log.Log(absl::StrCat("warning: data dir ", data_dir,
                         " is open to other users (mode 0", mode.str(),
                         "); chmod 700 it"));
  }
  server::StoreSettings store_settings;
  store_settings.engine = absl::GetFlag(FLAGS_store);
  store_settings.rados_conf = absl::GetFlag(FLAGS_rados_conf);
  store_settings.rados_pool = absl::GetFlag(FLAGS_rados_pool);
  store_settings.rados_namespace = absl::GetFlag(FLAGS_rados_namespace);
  store_settings.rados_user = absl::GetFlag(FLAGS_rados_user);
  store_settings.rados_op_timeout_seconds =
      absl::GetFlag(FLAGS_rados_op_timeout_seconds);
  store_settings.min_free_disk_bytes = absl::GetFlag(FLAGS_min_free_disk_bytes);
  store_settings.index_commit_delay_ms =
      absl::GetFlag(FLAGS_index_commit_delay_ms);
  store_settings.sieve_max_script_bytes =
      absl::GetFlag(FLAGS_sieve_max_script_bytes);
  store_settings.sieve_max_scripts = absl::GetFlag(FLAGS_sieve_max_scripts);
  absl::StatusOr<store::StoreOptions> store_options =
      server::MakeStoreOptions(data_dir, store_settings);
  if (!store_options.ok()) {
    std::cerr << "mailroomd: " << store_options.status().message() << "\n";
    return 1;
  }
  store_options->metadata_max_entry_bytes =
      absl::GetFlag(FLAGS_metadata_max_entry_bytes);
  store_options->metadata_max_entries =
      absl::GetFlag(FLAGS_metadata_max_entries);
  store_options->metadata_max_total_bytes =
      absl::GetFlag(FLAGS_metadata_max_total_bytes);
  store_options->max_keywords_per_mailbox =
      absl::GetFlag(FLAGS_max_keywords_per_mailbox);
  store_options->outbound_max_queued = absl::GetFlag(FLAGS_outbound_max_queued);
  store_options->search_columns_max_bytes =
      absl::GetFlag(FLAGS_search_columns_mb) << 20;
  // What the store does on its own (e.g. an index rebuild) goes to the
  // daemon's log.
  store_options->log = [&log](std::string_view message) { log.Log(message); };
  absl::StatusOr<std::unique_ptr<store::Store>> opened =
      store::OpenStore(*store_options);
  if (!opened.ok()) {
    std::cerr << "mailroomd: cannot open the store in " << data_dir << ": "
              << opened.status().message() << "\n";
    return 1;
  }
  std::unique_ptr<store::Store> store = *std::move(opened);
  log.Log(absl::StrCat("store open in ", data_dir));
  options.admin_socket_path =
      (fs::path(data_dir) / server::admin::kAdminSocketName).string();

  server::auth::ThrottleOptions throttle;
  throttle.failures_per_address =
      std::max(1, absl::GetFlag(FLAGS_auth_failures_per_address));
  throttle.failures_per_user =
      std::max(1, absl::GetFlag(FLAGS_auth_failures_per_user));
  throttle.window = absl::Seconds(
      std::max<int64_t>(1, absl::GetFlag(FLAGS_auth_failure_window_seconds)));
  throttle.max_entries = static_cast<size_t>(
      std::max<int64_t>(2, absl::GetFlag(FLAGS_auth_throttle_entries)));
  server::auth::HashExecutorOptions hashing;
  hashing.threads = std::max(1, absl::GetFlag(FLAGS_auth_hash_threads));
  hashing.queue = std::max(0, absl::GetFlag(FLAGS_auth_hash_queue));
  server::auth::HostAuthenticator auth(
      store.get(), config.allow_plaintext_auth, throttle,
      absl::Seconds(std::max<int64_t>(
          0, absl::GetFlag(FLAGS_login_cache_seconds))),
      hashing,
      static_cast<size_t>(
          std::max<int64_t>(1, absl::GetFlag(FLAGS_auth_max_user_bytes))));
  {
    std::vector<std::string> quota_admins;
    for (const std::string& user : SplitList(absl::GetFlag(FLAGS_quota_admins))) {
      quota_admins.push_back(absl::AsciiStrToLower(user));
    }
    auth.SetQuotaAdmins(std::move(quota_admins));
  }
  if (const std::string oauth = absl::GetFlag(FLAGS_oauth_issuers);
      !oauth.empty()) {
    server::auth::OAuthSettings settings;
    settings.leeway = absl::Seconds(
        std::max<int64_t>(0, absl::GetFlag(FLAGS_oauth_leeway_seconds)));
    settings.max_token_bytes = static_cast<size_t>(
        std::max<int64_t>(64, absl::GetFlag(FLAGS_oauth_max_token_bytes)));
    settings.jwks_check_interval = absl::Seconds(
        std::max<int64_t>(0, absl::GetFlag(FLAGS_oauth_jwks_check_seconds)));
    absl::StatusOr<std::unique_ptr<server::auth::OAuthIssuers>> issuers =
        server::auth::OAuthIssuers::Load(oauth, settings);
    if (!issuers.ok()) {
      std::cerr << "mailroomd: oauth_issuers: " << issuers.status().message()
                << "\n";
      return 1;
    }
    log.Log(absl::StrCat("OAUTHBEARER and XOAUTH2 on: ", (*issuers)->size(),
                         " issuer(s) from ", oauth));
    auth.SetOAuthIssuers(*std::move(issuers));
  }
  store::Store* store_ptr = store.get();
  // Sieve redirects and vacation replies leave through the relay.
  std::string relay_error;
  std::unique_ptr<server::outbound::RelayWorker> relay =
      MakeRelayWorker(store_ptr, config.hostname, log, &relay_error);
  if (!relay_error.empty()) {
    std::cerr << "mailroomd: " << relay_error << "\n";
    return 2;
  }
  // Set before Start(): admin commands and logins come only after it.
  server::Server* sessions = nullptr;
  auto server = std::make_unique<server::Server>(
      options, descriptors, store_ptr, &auth, tls.get(), &log,
      [store_ptr, &sessions](const std::vector<std::string>& command,
                             server::admin::AdminOutput& output) {
        server::admin::AdminContext ctx(*store_ptr, output, sessions);
        return server::admin::RunAdminCommand(ctx, command);
      });
  sessions = server.get();
  auth.SetLoginObserver([&sessions](uint64_t id, std::string_view user) {
    sessions->NoteLogin(id, user);
  });
  absl::Status started = server->Start();
  if (!started.ok()) {
    std::cerr << "mailroomd: " << started.message() << "\n";
    return 1;
  }

  // "Leave mail on server" retention, carried out by the store: hourly pass.
  absl::Notification stop_retention;
  std::thread retention;
  if (expire_days > 0 || arrival_days > 0) {
    retention = std::thread([&] {
      store::RetentionPolicy policy;
      if (expire_days > 0) {
        policy.delete_after_retrieval_seconds = int64_t{expire_days} * 86400;
      }
      if (arrival_days > 0) {
        policy.delete_after_arrival_seconds = int64_t{arrival_days} * 86400;
      }
      do {
        absl::StatusOr<uint64_t> expunged = store_ptr->ApplyRetention(policy);
        if (!expunged.ok()) {
          log.Log(absl::StrCat("retention failed: ",
                               expunged.status().message()));
        } else if (*expunged > 0) {
          log.Log(absl::StrCat("retention expunged ", *expunged,
                               " message(s)"));
        }
      } while (!stop_retention.WaitForNotificationWithTimeout(absl::Hours(1)));
    });
  }
  if (relay != nullptr) {
    relay->Start();
    log.Log(absl::StrCat("outbound relay ", absl::GetFlag(FLAGS_sieve_smtp),
                         " (TLS ", absl::GetFlag(FLAGS_sieve_smtp_tls), ")"));
  } else {
    log.Log("no outbound relay configured (sieve_smtp): Sieve redirects and "
            "vacation replies stay queued");
  }
  log.Log(absl::StrCat("mailroomd ready (pid ", getpid(), ")"));

  const bool clean = server->Wait();
  if (relay != nullptr) relay->Stop();
  stop_retention.Notify();
  if (retention.joinable()) retention.join();
  if (!clean) {
    // Sessions were cut off mid-coroutine and may still hold store
    // objects; every acknowledged write is already durable, so leave now.
    std::cerr.flush();
    std::_Exit(0);
  }
  server.reset();
  store.reset();
  return 0;
}

}  // namespace
}  // namespace mailroom

int main(int argc, char** argv) { return mailroom::Run(argc, argv); }
