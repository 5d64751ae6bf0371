// Argument parsers of NOTIFY (RFC 5465 section 8) and SETQUOTA (RFC 9208
// section 4.4). The lexer stands after the command name.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_PROTOCOLS_IMAP_NOTIFY_PARSER_H_
#define MAILROOM_PROTOCOLS_IMAP_NOTIFY_PARSER_H_

#include "absl/status/status.h"
#include "protocols/imap/command.h"
#include "protocols/imap/lexer.h"

namespace mailroom::imap {

// Fills `args`. kInvalidArgument (answered BAD) on a syntax error and on
// what RFC 5465 answers with BAD: MessageNew without MessageExpunge (or the
// reverse), FlagChange or AnnotationChange without both, a non-message
// event or two selected filters, a fetch-att list outside SELECTED.
// Unknown and unsupported events are listed in args.unsupported_events.
absl::Status ParseNotifyArgs(Lexer& lexer, NotifyArgs& args);

// SETQUOTA root (resource limit ...): fills the root into `root`.
absl::Status ParseSetQuotaArgs(Lexer& lexer, std::string& root,
                               SetQuotaArgs& args);

}  // namespace mailroom::imap

#endif  // MAILROOM_PROTOCOLS_IMAP_NOTIFY_PARSER_H_
