// Parses one complete IMAP command (line plus inlined literals, as the
// CommandReader assembles it) into a Command, following the ABNF of
// RFC 9051 / RFC 3501 with the RFC 4466 extensions and the extensions this
// server announces.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_PROTOCOLS_IMAP_COMMAND_PARSER_H_
#define MAILROOM_PROTOCOLS_IMAP_COMMAND_PARSER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocols/imap/command.h"
#include "protocols/imap/lexer.h"

namespace mailroom::imap {

// Bounds on what one command may ask for, checked while parsing so an
// oversized command costs nothing beyond reading it. Exceeding one is
// kResourceExhausted with a user-safe message naming the limit.
struct ParseLimits {
  int max_depth = 64;                    // parenthesis nesting
  size_t max_sequence_elements = 100000;  // comma-separated set elements
  size_t max_search_keys = 1000;      // in one SEARCH, SORT or THREAD
  size_t max_flags = 1000;            // in one STORE or APPEND flag list
  size_t max_fetch_attributes = 1000;  // in one FETCH
  size_t max_list_pattern_bytes = 1024;  // one LIST/LSUB mailbox pattern
  size_t max_catenate_parts = 100;    // in one CATENATE message
  size_t max_metadata_entries = 1000;  // in one GETMETADATA or SETMETADATA
};

// The tag of a command line, or "*" when it has none that is valid (the
// reply to an unparsable line is then untagged).
std::string TagOf(std::string_view line);

// kInvalidArgument with a user-safe message on a syntax error;
// kNotFound for an unknown command name.
absl::StatusOr<Command> ParseCommand(std::string_view input,
                                     const ParseLimits& limits = {});

// flag-list "(" [flag *(SP flag)] ")", of at most `max_flags` flags.
absl::StatusOr<std::vector<std::string>> ParseFlagList(Lexer& lexer,
                                                       size_t max_flags = 1000);

// date-time "dd-Mon-yyyy hh:mm:ss +zzzz" (quoted), to seconds since the
// epoch and the zone in minutes.
absl::StatusOr<std::pair<int64_t, int32_t>> ParseDateTime(std::string_view s);

// fetch-att list after "FETCH set SP": a macro, one attribute or a list
// of at most `max_attributes`.
absl::StatusOr<std::vector<FetchAttr>> ParseFetchAttrs(
    Lexer& lexer, size_t max_attributes = 1000);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_COMMAND_PARSER_H_
