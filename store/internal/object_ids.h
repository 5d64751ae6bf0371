// Object identifiers (RFC 8474): MAILBOXID, EMAILID and THREADID.
//
// Every id is a keyed digest, so it reveals nothing (not a count, not a
// time, not the content) and cannot be predicted by someone who lacks the
// store's object id key (keys.h, "object_id_key": 32 random bytes written
// at the first open, carried by backups like every other key):
//   MAILBOXID  "F" + HMAC(key, "mailbox" id): a mailbox keeps its MailboxId
//              across RENAME, and a new mailbox gets a new MailboxId.
//   EMAILID    "M" + HMAC(key, "email" body hash): the same for every copy
//              of a message (COPY, MOVE, and the same bytes appended again:
//              the store keeps one body per SHA-256 already).
//   THREADID   "T" + HMAC(key, "thread" root): the root is the first
//              message id of References, else of In-Reply-To, else the
//              message's own Message-ID, so a reply and the message it
//              answers share it; a message with none of these is a thread
//              of its own (root: its body hash).
// Each digest is cut to kObjectIdBytes (80 bits) and written in lower-case
// base32, which fits the objectid grammar (1*255 ALPHA / DIGIT / "_" / "-")
// and is safe as a file name on case-insensitive file systems.
//
// Thread-safety: free functions on values.
#ifndef MAILROOM_STORE_INTERNAL_OBJECT_IDS_H_
#define MAILROOM_STORE_INTERNAL_OBJECT_IDS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailroom::store::internal {

inline constexpr size_t kObjectIdBytes = 10;
inline constexpr size_t kObjectIdKeyBytes = 32;
inline constexpr std::string_view kObjectIdKeyKey = "object_id_key";

// The raw (kObjectIdBytes) digests.
std::string MailboxObjectIdRaw(std::string_view key, uint64_t mailbox_id);
std::string EmailObjectIdRaw(std::string_view key, std::string_view body_hash);
std::string ThreadObjectIdRaw(std::string_view key, std::string_view root);

// `prefix` followed by the lower-case base32 of `raw`.
std::string ObjectIdText(char prefix, std::string_view raw);

// The thread root of a message (see above): a message id without its angle
// brackets, or empty when the header names none. Reads only the header.
std::string ThreadRoot(std::string_view message);

// The THREADID digest of a message whose body hash is `body_hash`.
std::string ThreadObjectIdOf(std::string_view key, std::string_view message,
                             std::string_view body_hash);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_OBJECT_IDS_H_
