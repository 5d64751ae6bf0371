// ACL commands (RFC 4314) and QUOTA (RFC 9208), both answered by the store.
//
// Quota roots: "" is the user's own account. SETQUOTA is for the quota
// administrators the host names (its setting quota_admins, carried by the
// principal); they may also name another user's account by the user name.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "protocols/imap/response.h"
#include "protocols/imap/session.h"
#include "protocols/imap/strings.h"

namespace mailroom::imap {
namespace {

// RFC 4314 rights this server knows ("c" and "d" are obsolete aliases).
constexpr char kAllRights[] = "lrswipkxtea";

std::string NormalizeRights(std::string rights) {
  std::string out;
  for (char r : std::string(kAllRights)) {
    if (rights.find(r) != std::string::npos) out.push_back(r);
  }
  // Obsolete RFC 2086 rights: "c" = "k", "d" = "xte".
  if (rights.find('c') != std::string::npos && out.find('k') == std::string::npos) {
    out.push_back('k');
  }
  if (rights.find('d') != std::string::npos) {
    for (char r : std::string("xte")) {
      if (out.find(r) == std::string::npos) out.push_back(r);
    }
  }
  return out;
}

// RFC 4314 section 2.1.1: ACL and MYRIGHTS responses MUST add the virtual
// "c" when "k" is held and "d" when any of "x", "t", "e" is (c = k and
// d = xte here).
std::string WithVirtualRights(std::string rights) {
  const bool create = rights.find('k') != std::string::npos;
  const bool remove = rights.find_first_of("xte") != std::string::npos;
  if (create && rights.find('c') == std::string::npos) rights.push_back('c');
  if (remove && rights.find('d') == std::string::npos) rights.push_back('d');
  return rights;
}

bool ValidRights(std::string_view rights) {
  for (char r : rights) {
    if (std::string_view(kAllRights).find(r) == std::string_view::npos &&
        r != 'c' && r != 'd' && !(r >= '0' && r <= '9')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Task<std::string> Session::HandleGetAcl(Command& c) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  absl::StatusOr<std::vector<store::AclEntry>> acl = co_await plugin::Blocking(
      conn_, [&] { return store_.GetAcl(principal_, *name); });
  if (!acl.ok()) co_return ResponseForStatus(acl.status());
  std::string line = absl::StrCat("ACL ", EncodeMailbox(*name));
  for (const store::AclEntry& e : *acl) {
    absl::StrAppend(&line, " ", AStringOf(e.identifier), " ",
                    AStringOf(WithVirtualRights(e.rights)));
  }
  Untagged(line);
  co_return "OK GETACL completed";
}

Task<std::string> Session::HandleSetAcl(Command& c, bool remove) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  const std::string& identifier = c.args[1];
  std::string rights;
  if (!remove) {
    std::string_view mod = c.args[2];
    char op = 0;
    if (!mod.empty() && (mod[0] == '+' || mod[0] == '-')) {
      op = mod[0];
      mod.remove_prefix(1);
    }
    if (!ValidRights(mod)) co_return "BAD Invalid rights";
    rights = NormalizeRights(std::string(mod));
    if (op != 0) {
      absl::StatusOr<std::vector<store::AclEntry>> acl =
          co_await plugin::Blocking(
              conn_, [&] { return store_.GetAcl(principal_, *name); });
      if (!acl.ok()) co_return ResponseForStatus(acl.status());
      std::string current;
      for (const store::AclEntry& e : *acl) {
        if (e.identifier == identifier) current = e.rights;
      }
      if (op == '+') {
        rights = NormalizeRights(current + rights);
      } else {
        std::string kept;
        for (char r : current) {
          if (rights.find(r) == std::string::npos) kept.push_back(r);
        }
        rights = kept;
      }
    }
  }
  const absl::Status s = co_await plugin::Blocking(conn_, [&] {
    return store_.SetAcl(principal_, *name, identifier, rights);
  });
  if (!s.ok()) co_return ResponseForStatus(s);
  co_return remove ? "OK DELETEACL completed" : "OK SETACL completed";
}

Task<std::string> Session::HandleListRights(Command& c) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  absl::StatusOr<std::string> mine = co_await plugin::Blocking(
      conn_, [&] { return store_.MyRights(principal_, *name); });
  if (!mine.ok()) co_return ResponseForStatus(mine.status());
  // RFC 4314 section 4 (and Appendix A item 8): LISTRIGHTS needs `a`. A
  // principal that cannot see the mailbox got the missing-mailbox answer
  // from the store already.
  if (mine->find('a') == std::string::npos) {
    co_return "NO [NOPERM] Permission denied";
  }
  // Every right is independent; the virtual "c" and "d" are listed too
  // (section 2.1.1).
  Untagged(absl::StrCat("LISTRIGHTS ", EncodeMailbox(*name), " ",
                        AStringOf(c.args[1]),
                        " \"\" l r s w i p k x t e a c d"));
  co_return "OK LISTRIGHTS completed";
}

Task<std::string> Session::HandleMyRights(Command& c) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  absl::StatusOr<std::string> mine = co_await plugin::Blocking(
      conn_, [&] { return store_.MyRights(principal_, *name); });
  if (!mine.ok()) co_return ResponseForStatus(mine.status());
  Untagged(absl::StrCat("MYRIGHTS ", EncodeMailbox(*name), " ",
                        mine->empty() ? "\"\""
                                      : AStringOf(WithVirtualRights(*mine))));
  co_return "OK MYRIGHTS completed";
}

std::string Session::QuotaLine(const store::QuotaUsage& usage) const {
  std::string resources;
  if (usage.storage_limit_bytes) {
    // RFC 9208: STORAGE is in units of 1024 octets.
    absl::StrAppend(&resources, "STORAGE ", (usage.storage_bytes + 1023) / 1024,
                    " ", *usage.storage_limit_bytes / 1024);
  }
  if (usage.message_limit) {
    if (!resources.empty()) resources += " ";
    absl::StrAppend(&resources, "MESSAGE ", usage.messages, " ",
                    *usage.message_limit);
  }
  return absl::StrCat("QUOTA ", QuoteString(usage.root), " (", resources, ")");
}

Task<std::string> Session::HandleGetQuota(Command& c) {
  const bool other = !c.args[0].empty() && IsQuotaAdmin();
  const std::string user = other ? AsciiLower(c.args[0]) : principal_.user();
  absl::StatusOr<store::QuotaUsage> usage = co_await plugin::Blocking(
      conn_, [&] { return store_.GetQuota(principal_, user); });
  if (!usage.ok()) {
    if (other) co_return "NO [NONEXISTENT] No such quota root";
    co_return ResponseForStatus(usage.status());
  }
  if (other) usage->root = c.args[0];
  if (c.args[0] != usage->root) co_return "NO [NONEXISTENT] No such quota root";
  Untagged(QuotaLine(*usage));
  co_return "OK GETQUOTA completed";
}

bool Session::IsQuotaAdmin() const { return principal_.quota_admin(); }

Task<std::string> Session::HandleSetQuota(Command& c) {
  if (!IsQuotaAdmin()) co_return "NO [NOPERM] Only administrators set quotas";
  std::optional<uint64_t> storage_bytes;
  std::optional<uint64_t> messages;
  for (const auto& [resource, limit] : c.set_quota.resources) {
    if (resource == "STORAGE") {
      // RFC 9208: STORAGE is in units of 1024 octets.
      if (limit > UINT64_MAX / 1024) co_return "BAD STORAGE limit too large";
      storage_bytes = limit * 1024;
    } else if (resource == "MESSAGE") {
      messages = limit;
    } else {
      co_return absl::StrCat("NO [CANNOT] Unsupported quota resource ",
                             resource);
    }
  }
  const std::string root = c.args[0];
  const std::string user = root.empty() ? principal_.user() : AsciiLower(root);
  // Resources not named lose their limit (the list replaces the old one).
  const absl::Status s = co_await plugin::Blocking(conn_, [&] {
    return store_.SetQuota(principal_, user, storage_bytes, messages);
  });
  if (!s.ok()) {
    if (s.code() == absl::StatusCode::kNotFound ||
        s.code() == absl::StatusCode::kInvalidArgument) {
      co_return "NO [NONEXISTENT] No such quota root";
    }
    co_return ResponseForStatus(s);
  }
  absl::StatusOr<store::QuotaUsage> usage = co_await plugin::Blocking(
      conn_, [&] { return store_.GetQuota(principal_, user); });
  if (usage.ok()) {
    usage->root = root;
    Untagged(QuotaLine(*usage));
  }
  co_return "OK SETQUOTA completed";
}

Task<std::string> Session::HandleGetQuotaRoot(Command& c) {
  absl::StatusOr<std::string> name = DecodeMailbox(c.args[0]);
  if (!name.ok()) co_return "NO [CANNOT] Invalid mailbox name";
  absl::StatusOr<store::MailboxStatus> st = co_await plugin::Blocking(
      conn_, [&] { return store_.GetStatus(principal_, *name); });
  if (!st.ok()) co_return ResponseForStatus(st.status());
  const std::string user = principal_.user();
  absl::StatusOr<store::QuotaUsage> usage = co_await plugin::Blocking(
      conn_, [&] { return store_.GetQuota(principal_, user); });
  if (!usage.ok()) co_return ResponseForStatus(usage.status());
  Untagged(absl::StrCat("QUOTAROOT ", EncodeMailbox(*name), " ",
                        QuoteString(usage->root)));
  Untagged(QuotaLine(*usage));
  co_return "OK GETQUOTAROOT completed";
}

}  // namespace mailroom::imap
