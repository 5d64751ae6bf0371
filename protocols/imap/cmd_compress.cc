// COMPRESS (RFC 4978). The host does the compressing (the transport is
// shared by every protocol); this file only negotiates it. Offered after
// login, so an unauthenticated connection never holds a compressor.
#include "absl/strings/str_cat.h"
#include "protocols/imap/session.h"

namespace mailroom::imap {

Task<std::string> Session::HandleCompress(Command& c) {
  if (c.args[0] != "DEFLATE") {
    co_return "BAD Unknown compression mechanism, only DEFLATE is supported";
  }
  if (conn_.compression_active()) {
    // RFC 4978's result table: BAD when this layer already compresses (NO
    // is for compression by another layer); the code says why.
    co_return "BAD [COMPRESSIONACTIVE] DEFLATE is already active";
  }
  if (!conn_.compression_available()) {
    co_return "NO [CANNOT] Compression is not offered by this server";
  }
  // Compression starts right after the CRLF of the tagged OK, which is
  // therefore sent here, plainly, with anything queued before it.
  Tagged(c.tag, "OK DEFLATE active");
  if (!(co_await conn_.Flush()).ok()) {
    state_ = State::kLogout;
    co_return "";
  }
  const absl::Status s = conn_.StartCompression();
  if (!s.ok()) {
    // The client compresses from now on; the stream cannot be read plainly.
    conn_.Log(absl::StrCat("imap: COMPRESS failed: ", s.ToString()));
    state_ = State::kLogout;
    co_return "";
  }
  conn_.Log("imap: COMPRESS DEFLATE active");
  co_return "";
}

}  // namespace mailroom::imap
