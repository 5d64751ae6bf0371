// What a Sieve script may learn of the message being delivered and of the
// delivery around it. The library never parses mail or touches storage;
// the caller (LMTP delivery, a test) answers through these interfaces.
//
// Thread-safety: a run calls these from one thread; implementations need
// not be thread-safe.
#ifndef MAILROOM_SIEVE_MESSAGE_H_
#define MAILROOM_SIEVE_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mailroom::sieve {

// One leaf MIME part of the body.
struct BodyPart {
  std::string content_type;  // "type/subtype", lower case, no parameters
  std::string text;          // content, transfer-decoded, in UTF-8 for text/*
};

class Message {
 public:
  virtual ~Message() = default;

  // The values of every header field named `name` (case-insensitive), in
  // message order, unfolded, without the leading space. `decoded`: RFC 2047
  // encoded-words decoded to UTF-8; otherwise the raw value.
  virtual std::vector<std::string> HeaderValues(std::string_view name,
                                                bool decoded) const = 0;

  // An envelope part (RFC 5228 §5.4): "from" (the reverse-path, "" for the
  // null sender), "to" (this delivery's recipient), or another the delivery
  // knows ("auth"). nullopt: not known.
  virtual std::optional<std::string> Envelope(std::string_view part) const = 0;

  // Size of the whole message in octets (RFC 5228 §5.9).
  virtual uint64_t Size() const = 0;

  // The body after the header, undecoded (RFC 5173 :raw).
  virtual std::string RawBody() const = 0;

  // The leaf parts, transfer-decoded, in message order (RFC 5173 :content,
  // :text). A single-part message has one.
  virtual std::vector<BodyPart> BodyParts() const = 0;
};

// Where a script included by RFC 6609 `include` lives.
enum class ScriptLocation { kPersonal, kGlobal };

class Environment {
 public:
  virtual ~Environment() = default;

  // The current time (RFC 5260 currentdate) and the server's zone, used
  // when a date test names none.
  virtual absl::Time Now() const = 0;
  virtual absl::TimeZone LocalZone() const = 0;

  // RFC 5183 items ("domain", "host", "name", "phase", "remote-ip", ...).
  // nullopt: unknown item; tests on it are false.
  virtual std::optional<std::string> Item(std::string_view name) const = 0;

  // RFC 5490 mailboxexists: true when `mailbox` exists and the script's
  // owner may deliver to it.
  virtual bool MailboxExists(std::string_view mailbox) const = 0;

  // RFC 6609: the source of script `name` at `location`. kNotFound when
  // there is none (an :optional include then does nothing).
  virtual absl::StatusOr<std::string> LoadScript(ScriptLocation location,
                                                 std::string_view name) const = 0;

  // RFC 7352: whether `key` (handle and unique id) was recorded by an
  // earlier delivery and has not expired. Recording happens after the run,
  // by the caller, from RunResult::duplicate_marks.
  virtual bool DuplicateSeen(std::string_view key) const = 0;
};

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_MESSAGE_H_
