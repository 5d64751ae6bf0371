#include "protocols/imap/mailbox_open.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

namespace mailroom::imap {

absl::StatusOr<MailboxView> OpenMailboxView(store::MailStore& store,
                                            const store::Principal& who,
                                            std::string_view name) {
  absl::StatusOr<store::MailboxSnapshot> header =
      store.OpenMailboxHeader(who, name);
  if (!header.ok()) return header.status();
  SharedVersions::Key key{header->status.object_id, header->status.id,
                          header->status.uidvalidity,
                          header->private_view ? who.user() : std::string()};
  if (std::shared_ptr<const MailboxVersion> base =
          SharedVersions::Global().Find(key)) {
    absl::StatusOr<store::Changes> changes =
        store.ChangesSince(who, header->status.id, base->modseq());
    if (!changes.ok()) return changes.status();
    // Without the full expunge history the base cannot be trusted.
    if (changes->vanished_complete) {
      MailboxView view(*header, std::move(base));
      view.set_share_key(std::move(key));
      view.CatchUp(*changes);
      return view;
    }
  }
  absl::StatusOr<store::MailboxTableSnapshot> opened =
      store.OpenMailboxTable(who, name);
  if (!opened.ok()) return opened.status();
  const store::MailboxSnapshot& snapshot = opened->header;
  // The mailbox may have been replaced between the two calls.
  key = SharedVersions::Key{snapshot.status.object_id, snapshot.status.id,
                            snapshot.status.uidvalidity,
                            snapshot.private_view ? who.user() : std::string()};
  std::shared_ptr<const MailboxVersion> version = MailboxVersion::FromTable(
      std::move(opened->table), snapshot.status.highestmodseq);
  SharedVersions::Global().Publish(key, version);
  MailboxView view(snapshot, std::move(version));
  view.set_share_key(std::move(key));
  return view;
}

absl::Status LoadMessageDetails(store::MailStore& store,
                                const store::Principal& who,
                                store::MailboxId mailbox,
                                std::vector<store::MessageMeta*> metas) {
  std::sort(metas.begin(), metas.end(),
            [](const store::MessageMeta* a, const store::MessageMeta* b) {
              return a->uid < b->uid;
            });
  std::vector<store::Uid> uids;
  uids.reserve(metas.size());
  for (const store::MessageMeta* m : metas) uids.push_back(m->uid);
  absl::StatusOr<std::vector<store::MessageMeta>> details =
      store.GetMessages(who, mailbox, uids);
  if (!details.ok()) return details.status();
  auto d = details->begin();
  for (store::MessageMeta* m : metas) {
    while (d != details->end() && d->uid < m->uid) ++d;
    if (d == details->end() || d->uid != m->uid) continue;
    store::Flags flags = std::move(m->flags);
    const store::ModSeq modseq = m->modseq;
    *m = *d;
    m->flags = std::move(flags);
    m->modseq = modseq;
  }
  return absl::OkStatus();
}

}  // namespace mailroom::imap
