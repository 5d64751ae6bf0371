// SORT and THREAD (RFC 5256) and the DISPLAYFROM/DISPLAYTO orderings
// (RFC 5957) as pure functions over per-message keys the session extracts.
// Strings are compared with i;ascii-casemap, so callers pass them as they
// are; sent dates already fall back to the internal date.
//
// Every message carries one number `id` (a sequence number or a UID). Both
// ascend together, so ordering ties by `id` is ordering them by sequence
// number, as RFC 5256 requires.
//
// Thread-safety: pure functions on values; safe to call concurrently.
#ifndef MAILROOM_PROTOCOLS_IMAP_SORT_THREAD_H_
#define MAILROOM_PROTOCOLS_IMAP_SORT_THREAD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailroom::imap {

enum class SortKey {
  kArrival, kCc, kDate, kFrom, kSize, kSubject, kTo, kDisplayFrom, kDisplayTo,
};

struct SortCriterion {
  SortKey key = SortKey::kArrival;
  bool reverse = false;
};

// The sort values of one message.
struct SortValues {
  uint32_t id = 0;
  int64_t arrival = 0;    // internal date, seconds since the epoch
  int64_t sent_date = 0;  // Date: in UTC, else the internal date
  uint64_t size = 0;
  std::string from, to, cc;            // addr-mailbox of the first address
  std::string display_from, display_to;  // RFC 5957 display value
  std::string base_subject;
};

// The ids of `messages` in the order `criteria` define; ties by id.
std::vector<uint32_t> SortMessages(const std::vector<SortValues>& messages,
                                   const std::vector<SortCriterion>& criteria);

// What threading needs of one message.
struct ThreadInput {
  uint32_t id = 0;
  int64_t sent_date = 0;  // as for SortValues
  std::string base_subject;
  bool is_reply_or_forward = false;  // the subject had Re:/Fwd: or (fwd)
  std::string message_id;            // without angle brackets; may be empty
  // The References msg-ids in order, or else the first In-Reply-To msg-id.
  std::vector<std::string> references;
};

// A node of a thread tree; id 0 is a dummy (a missing message).
struct ThreadNode {
  uint32_t id = 0;
  std::vector<ThreadNode> children;
  bool operator==(const ThreadNode&) const = default;
};

std::vector<ThreadNode> ThreadOrderedSubject(
    const std::vector<ThreadInput>& messages);
std::vector<ThreadNode> ThreadReferences(
    const std::vector<ThreadInput>& messages);

// The response text after "THREAD": one parenthesised list per thread,
// e.g. "(2)(3 6 (4 23)(44 7 96))".
std::string FormatThreads(const std::vector<ThreadNode>& threads);

// i;ascii-casemap comparison: <0, 0, >0.
int CompareAsciiCasemap(std::string_view a, std::string_view b);

// Whether an (RFC 2047-decoded) subject marks a reply or forward: a leading
// "Re:"/"Fw:"/"Fwd:" (after any "[blob]"), a "[Fwd: ...]" wrapper, or a
// trailing "(fwd)".
bool IsReplyOrForward(std::string_view subject);

// The msg-ids ("<...>", brackets removed) of a References or In-Reply-To
// value, in order; comments and other words are skipped.
std::vector<std::string> ParseMsgIds(std::string_view value);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_SORT_THREAD_H_
