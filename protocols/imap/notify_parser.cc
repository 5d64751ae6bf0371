#include "protocols/imap/notify_parser.h"

#include <string>
#include <utility>

#include "base/status_macros.h"
#include "protocols/imap/command_parser.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

absl::Status Bad(std::string_view what) {
  return absl::InvalidArgumentError(AbslView(what));
}

// Bounds so that one command cannot make the server hold a huge watch list.
constexpr size_t kMaxGroups = 100;
constexpr size_t kMaxNames = 1000;

// one-or-more-mailbox = mailbox / "(" mailbox *(SP mailbox) ")"
absl::Status MailboxNames(Lexer& lx, std::vector<std::string>& out) {
  if (!lx.Consume('(')) {
    MR_ASSIGN_OR_RETURN(std::string name, lx.AString());
    out.push_back(std::move(name));
    return absl::OkStatus();
  }
  do {
    MR_ASSIGN_OR_RETURN(std::string name, lx.AString());
    out.push_back(std::move(name));
    if (out.size() > kMaxNames) return Bad("too many mailboxes");
  } while (lx.Consume(' '));
  return lx.Expect(')');
}

absl::StatusOr<NotifyGroup::Filter> FilterOf(std::string_view upper) {
  using F = NotifyGroup::Filter;
  if (upper == "SELECTED") return F::kSelected;
  if (upper == "SELECTED-DELAYED") return F::kSelectedDelayed;
  if (upper == "PERSONAL") return F::kPersonal;
  if (upper == "INBOXES") return F::kInboxes;
  if (upper == "SUBSCRIBED") return F::kSubscribed;
  if (upper == "SUBTREE") return F::kSubtree;
  if (upper == "MAILBOXES") return F::kMailboxes;
  return Bad("unknown NOTIFY mailbox filter");
}

// events = "(" event *(SP event) ")" / "NONE"
absl::Status Events(Lexer& lx, NotifyGroup& group, NotifyArgs& args) {
  NotifyEvents& ev = group.events;
  if (lx.ConsumeWord("NONE")) return absl::OkStatus();
  MR_RETURN_IF_ERROR(lx.Expect('('));
  bool annotation = false;
  do {
    MR_ASSIGN_OR_RETURN(std::string name, lx.Atom());
    const std::string upper = AsciiUpper(name);
    if (upper == "MESSAGENEW") {
      ev.message_new = true;
      if (lx.rest().substr(0, 2) == " (") {
        if (!group.selected()) {
          return Bad("MessageNew attributes apply to SELECTED only");
        }
        lx.Consume(' ');
        MR_ASSIGN_OR_RETURN(ev.fetch_attrs, ParseFetchAttrs(lx));
      }
    } else if (upper == "MESSAGEEXPUNGE") {
      ev.message_expunge = true;
    } else if (upper == "FLAGCHANGE") {
      ev.flag_change = true;
    } else if (upper == "ANNOTATIONCHANGE") {
      annotation = true;
      args.unsupported_events.push_back(name);
    } else if (upper == "MAILBOXNAME") {
      ev.mailbox_name = true;
    } else if (upper == "SUBSCRIPTIONCHANGE") {
      ev.subscription_change = true;
    } else if (upper == "MAILBOXMETADATACHANGE") {
      ev.mailbox_metadata = true;
    } else if (upper == "SERVERMETADATACHANGE") {
      ev.server_metadata = true;
    } else {
      // Any future event-ext.
      args.unsupported_events.push_back(name);
    }
  } while (lx.Consume(' '));
  MR_RETURN_IF_ERROR(lx.Expect(')'));
  if (ev.message_new != ev.message_expunge) {
    return Bad("MessageNew and MessageExpunge go together");
  }
  if ((ev.flag_change || annotation) && !ev.message_new) {
    return Bad("FlagChange needs MessageNew and MessageExpunge");
  }
  if (group.selected() && (ev.mailbox_name || ev.subscription_change ||
                           ev.mailbox_metadata)) {
    return Bad("only message events apply to SELECTED");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseNotifyArgs(Lexer& lx, NotifyArgs& args) {
  MR_RETURN_IF_ERROR(lx.ExpectSpace());
  if (lx.ConsumeWord("NONE")) {
    args.none = true;
    return lx.ExpectEnd();
  }
  if (!lx.ConsumeWord("SET")) return Bad("expected SET or NONE");
  MR_RETURN_IF_ERROR(lx.ExpectSpace());
  if (lx.ConsumeWord("STATUS")) {
    args.status = true;
    MR_RETURN_IF_ERROR(lx.ExpectSpace());
  }
  bool have_selected = false;
  do {
    if (args.groups.size() >= kMaxGroups) return Bad("too many event groups");
    MR_RETURN_IF_ERROR(lx.Expect('('));
    NotifyGroup group;
    MR_ASSIGN_OR_RETURN(std::string filter, lx.Atom());
    MR_ASSIGN_OR_RETURN(group.filter, FilterOf(AsciiUpper(filter)));
    if (group.selected()) {
      if (have_selected) return Bad("only one SELECTED filter is allowed");
      have_selected = true;
    }
    MR_RETURN_IF_ERROR(lx.ExpectSpace());
    if (group.filter == NotifyGroup::Filter::kSubtree ||
        group.filter == NotifyGroup::Filter::kMailboxes) {
      MR_RETURN_IF_ERROR(MailboxNames(lx, group.mailboxes));
      MR_RETURN_IF_ERROR(lx.ExpectSpace());
    }
    MR_RETURN_IF_ERROR(Events(lx, group, args));
    MR_RETURN_IF_ERROR(lx.Expect(')'));
    args.groups.push_back(std::move(group));
  } while (lx.Consume(' '));
  return lx.ExpectEnd();
}

absl::Status ParseSetQuotaArgs(Lexer& lx, std::string& root,
                               SetQuotaArgs& args) {
  MR_RETURN_IF_ERROR(lx.ExpectSpace());
  MR_ASSIGN_OR_RETURN(root, lx.AString());
  MR_RETURN_IF_ERROR(lx.ExpectSpace());
  MR_RETURN_IF_ERROR(lx.Expect('('));
  if (!lx.Consume(')')) {
    do {
      MR_ASSIGN_OR_RETURN(std::string name, lx.Atom());
      MR_RETURN_IF_ERROR(lx.ExpectSpace());
      MR_ASSIGN_OR_RETURN(uint64_t limit, lx.Number());
      args.resources.emplace_back(AsciiUpper(name), limit);
      if (args.resources.size() > 20) return Bad("too many resources");
    } while (lx.Consume(' '));
    MR_RETURN_IF_ERROR(lx.Expect(')'));
  }
  return lx.ExpectEnd();
}

}  // namespace mailroom::imap
