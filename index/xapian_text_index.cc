#include "index/xapian_text_index.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "base/file_tree.h"
#include "base/status_macros.h"
#include "index/body_preparer.h"
#include "index/doc_text.h"
#include "index/index_stats.h"
#include "index/document_builder.h"
#include "index/matcher.h"
#include "index/query_planner.h"
#include "index/schema.h"
#include "index/vocabulary.h"
#include "index/xapian_status.h"
#include "xapian.h"

namespace mailroom::index {

namespace {

namespace fs = std::filesystem;

std::string MarkKey(store::MailboxId mailbox) {
  return absl::StrCat(kMarkKeyPrefix, mailbox);
}

// One owner's database. `marker` records that the owner once had an index:
// if the database directory then disappears, a new one is incomplete.
struct OwnerDb {
  explicit OwnerDb(std::string path_in)
      : path(std::move(path_in)), marker(path + ".known") {}

  const std::string path;
  const std::string marker;
  absl::Mutex mu;
  std::unique_ptr<Xapian::WritableDatabase> db ABSL_GUARDED_BY(mu);
  bool incomplete ABSL_GUARDED_BY(mu) = false;
  // Apply() works in a Xapian transaction so that a failure part way drops
  // everything (closing a database would commit its pending changes).
  bool in_transaction ABSL_GUARDED_BY(mu) = false;
  // Loaded on first use; cleared whenever uncommitted words may be lost.
  Vocabulary vocabulary ABSL_GUARDED_BY(mu);
  // When the owner was last used (a tick of XapianTextIndex::clock_), for
  // closing the least recently used databases.
  std::atomic<uint64_t> last_used{0};
};

// Open databases cost file descriptors and vocabulary memory; beyond this
// many, the least recently used idle ones are closed (and reopened lazily).
constexpr size_t kMaxOpenDatabases = 128;

// Closes the database, dropping changes not yet committed.
void CloseDropping(OwnerDb& owner) ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu) {
  if (owner.db != nullptr && owner.in_transaction) {
    owner.db->cancel_transaction();
  }
  owner.in_transaction = false;
  owner.db.reset();
  owner.vocabulary.Clear();
}

// Glass's version file: rewritten at every commit.
constexpr char kVersionFile[] = "iamglass";

// Both files exist and hold the same bytes.
bool SameFileContents(const std::string& a, const std::string& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  if (!fa || !fb) return false;
  std::string ca((std::istreambuf_iterator<char>(fa)),
                 std::istreambuf_iterator<char>());
  std::string cb((std::istreambuf_iterator<char>(fb)),
                 std::istreambuf_iterator<char>());
  return fa.good() == fb.good() && !ca.empty() && ca == cb;
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

class XapianTextIndex : public store::TextIndex {
 public:
  XapianTextIndex(std::string root, TextSource source)
      : root_(std::move(root)), source_(std::move(source)) {}

  absl::Status Apply(const std::vector<store::IndexWork>& batch,
                     const LoadBody& load_body) override;

  absl::StatusOr<std::vector<store::Uid>> Query(
      const std::string& owner, store::MailboxId mailbox,
      const store::SearchKey& key) override;

  absl::StatusOr<store::SentDateAnswer> QuerySentDate(
      const std::string& owner, store::MailboxId mailbox,
      const store::SearchKey& key) override;

  absl::StatusOr<store::IndexMark> GetMark(const std::string& owner,
                                           store::MailboxId mailbox) override;

  absl::StatusOr<std::vector<store::Uid>> ListDocuments(
      const std::string& owner, store::MailboxId mailbox) override;

  absl::Status CopyTo(const std::string& dir,
                      const std::string& previous) override;

 private:
  // For each blob of the batch that needs a fresh document, its job in the
  // preparer.
  using BlobJobs = absl::flat_hash_map<std::string, size_t>;

  std::shared_ptr<OwnerDb> GetOwner(const std::string& owner)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Closes least recently used databases beyond kMaxOpenDatabases, skipping
  // any that another call is using. REQUIRES: no owner mutex held.
  void CloseIdle() ABSL_LOCKS_EXCLUDED(mu_);

  // Opens an existing database, checking its schema version.
  absl::Status OpenExisting(OwnerDb& owner)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu);
  // Opens the database, creating it when missing, inside a transaction.
  absl::Status EnsureWritable(OwnerDb& owner)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu);
  absl::Status Create(OwnerDb& owner) ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu);
  absl::Status RemoveOwner(OwnerDb& owner)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu);
  // Adds to `jobs` (and `jobs_by_blob`) the bodies of `items` that the
  // owner's database does not hold yet.
  absl::Status PlanOwner(OwnerDb& owner,
                         const std::vector<const store::IndexWork*>& items,
                         std::vector<BodyPreparer::Job>& jobs,
                         BlobJobs& jobs_by_blob)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu);
  absl::Status ApplyOwner(OwnerDb& owner,
                          const std::vector<const store::IndexWork*>& items,
                          const LoadBody& load_body,
                          BodyPreparer& preparer, const BlobJobs& jobs)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu);
  absl::Status AddMessage(Xapian::WritableDatabase& db, Vocabulary& vocabulary,
                          const store::IndexWork& work,
                          const LoadBody& load_body, BodyPreparer& preparer,
                          const BlobJobs& jobs);
  absl::StatusOr<std::vector<store::Uid>> QueryOwner(OwnerDb& owner,
                                                     store::MailboxId mailbox,
                                                     const CompiledKey& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu);
  // Opens the owner's database for a query (kDataLoss when incomplete).
  absl::Status OpenForQuery(OwnerDb& owner)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(owner.mu);

  const std::string root_;
  const TextSource source_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<OwnerDb>> owners_
      ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> clock_{0};
};

std::shared_ptr<OwnerDb> XapianTextIndex::GetOwner(const std::string& owner) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<OwnerDb>& slot = owners_[owner];
  if (slot == nullptr) {
    slot = std::make_shared<OwnerDb>(
        OwnerDirectory(root_, owner));
  }
  slot->last_used = ++clock_;
  return slot;
}

void XapianTextIndex::CloseIdle() {
  std::vector<std::shared_ptr<OwnerDb>> owners;
  {
    absl::MutexLock lock(&mu_);
    if (owners_.size() <= kMaxOpenDatabases) return;
    for (const auto& [name, owner] : owners_) owners.push_back(owner);
  }
  std::sort(owners.begin(), owners.end(), [](const auto& a, const auto& b) {
    return a->last_used > b->last_used;
  });
  size_t open = 0;
  for (const std::shared_ptr<OwnerDb>& owner : owners) {
    if (!owner->mu.TryLock()) {
      ++open;  // busy, so open: count it and leave it
      continue;
    }
    if (owner->db != nullptr && ++open > kMaxOpenDatabases &&
        !owner->in_transaction) {
      try {
        owner->db.reset();  // no transaction: nothing uncommitted
      } catch (const Xapian::Error&) {
      }
      owner->vocabulary.Clear();
    }
    owner->mu.Unlock();
  }
}

absl::Status XapianTextIndex::OpenExisting(OwnerDb& owner) {
  // A directory deleted behind our back (an admin wiping an index) must not
  // keep answering from the unlinked files of the open handle.
  if (owner.db != nullptr && Exists(owner.path)) return absl::OkStatus();
  CloseDropping(owner);
  if (!Exists(owner.path)) {
    return absl::DataLossError(
        absl::StrCat("text index: no database at ", owner.path));
  }
  auto db = std::make_unique<Xapian::WritableDatabase>(
      owner.path, Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS);
  const std::string version = db->get_metadata(std::string(kSchemaKey));
  if (version != kSchemaVersion) {
    return absl::DataLossError(absl::StrCat(
        "text index: ", owner.path, " has schema version '", version,
        "', expected ", kSchemaVersion, "; reindex the owner"));
  }
  owner.incomplete = db->get_metadata(std::string(kIncompleteKey)) == "1";
  owner.vocabulary.Load(*db);
  owner.db = std::move(db);
  return absl::OkStatus();
}

absl::Status XapianTextIndex::EnsureWritable(OwnerDb& owner) {
  if (Exists(owner.path)) {
    MR_RETURN_IF_ERROR(OpenExisting(owner));
  } else {
    MR_RETURN_IF_ERROR(Create(owner));
  }
  if (!owner.in_transaction) {
    owner.db->begin_transaction(/*flushed=*/true);
    owner.in_transaction = true;
  }
  return absl::OkStatus();
}

absl::Status XapianTextIndex::Create(OwnerDb& owner) {
  CloseDropping(owner);
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("text index: cannot create ", root_, ": ", ec.message()));
  }
  const bool lost = Exists(owner.marker);
  // Built aside and renamed into place: a crash while creating leaves no
  // database without its schema version where the owner's index belongs.
  const std::string fresh = owner.path + ".creating";
  fs::remove_all(fresh, ec);
  {
    Xapian::WritableDatabase building(
        fresh, Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
    building.set_metadata(std::string(kSchemaKey),
                          std::string(kSchemaVersion));
    if (lost) building.set_metadata(std::string(kIncompleteKey), "1");
    building.commit();
    building.close();
  }
  fs::rename(fresh, owner.path, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "text index: cannot move ", fresh, " into place: ", ec.message()));
  }
  MR_RETURN_IF_ERROR(SyncDirectory(root_));
  auto db = std::make_unique<Xapian::WritableDatabase>(
      owner.path, Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS);
  if (!lost) {
    std::ofstream marker(owner.marker);
    if (!marker) {
      return absl::UnavailableError(
          absl::StrCat("text index: cannot write ", owner.marker));
    }
  }
  owner.incomplete = lost;
  owner.vocabulary.Load(*db);
  owner.db = std::move(db);
  return absl::OkStatus();
}

absl::Status XapianTextIndex::RemoveOwner(OwnerDb& owner) {
  CloseDropping(owner);
  owner.incomplete = false;
  std::error_code ec;
  fs::remove_all(owner.path, ec);
  if (!ec) fs::remove(owner.marker, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(
        "text index: cannot remove ", owner.path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status XapianTextIndex::AddMessage(Xapian::WritableDatabase& db,
                                         Vocabulary& vocabulary,
                                         const store::IndexWork& work,
                                         const LoadBody& load_body,
                                         BodyPreparer& preparer,
                                         const BlobJobs& jobs) {
  const std::string unique = UniqueIdTerm(work.mailbox, work.uid);
  // A copy of a body this owner already has: copy its document.
  if (const std::string blob = BlobTerm(work.blob_id); !blob.empty()) {
    Xapian::PostingIterator it = db.postlist_begin(blob);
    if (it != db.postlist_end(blob)) {
      Xapian::Document doc = db.get_document(*it);
      Relabel(doc, work.mailbox, work.uid);
      db.replace_document(unique, doc);
      return absl::OkStatus();
    }
  }
  PreparedBody inline_body;
  PreparedBody* body = &inline_body;
  if (auto job = jobs.find(work.blob_id); job != jobs.end()) {
    body = &preparer.Get(job->second);
  } else {
    // Planned as a copy, but the original went (a kRemoveOwner earlier in
    // the batch): decode it here.
    absl::StatusOr<store::StoredBody> raw = load_body(work.blob_id);
    if (raw.ok() && raw->raw == nullptr) {
      inline_body.status =
          absl::InternalError("text index: body loader gave no bytes");
    } else if (raw.ok()) {
      inline_body.mailbox = work.mailbox;
      inline_body.uid = work.uid;
      BuildPreparedBody(*raw, source_, work.blob_id, inline_body);
    } else {
      inline_body.status = raw.status();
    }
  }
  // The body is gone, so the message was expunged and its removal is
  // queued after this item: nothing to index.
  if (absl::IsNotFound(body->status)) return absl::OkStatus();
  MR_RETURN_IF_ERROR(body->status);
  if (body->mailbox != work.mailbox || body->uid != work.uid) {
    // The same body for another message of the batch (another owner).
    Relabel(body->doc, work.mailbox, work.uid);
    body->mailbox = work.mailbox;
    body->uid = work.uid;
  }
  // The words with the prefixes they are stored under (the planner expands
  // a key on one field over that field's words only).
  vocabulary.Add(body->words);
  db.replace_document(unique, body->doc);
  return absl::OkStatus();
}

absl::Status XapianTextIndex::PlanOwner(
    OwnerDb& owner, const std::vector<const store::IndexWork*>& items,
    std::vector<BodyPreparer::Job>& jobs, BlobJobs& jobs_by_blob) {
  // The database may hold bodies already (copies need no decoding). One it
  // cannot open is wiped or refused when applying: plan every body then.
  bool have_db = Exists(owner.path) && OpenExisting(owner).ok();
  for (const store::IndexWork* work : items) {
    if (work->op == store::IndexWork::kRemoveOwner) have_db = false;
    if (work->op != store::IndexWork::kAdd) continue;
    if (jobs_by_blob.contains(work->blob_id)) continue;
    if (have_db) {
      const std::string blob = BlobTerm(work->blob_id);
      if (!blob.empty() && owner.db->term_exists(blob)) continue;
    }
    jobs_by_blob.emplace(work->blob_id, jobs.size());
    jobs.push_back({work->blob_id, work->mailbox, work->uid});
  }
  return absl::OkStatus();
}

absl::Status XapianTextIndex::ApplyOwner(
    OwnerDb& owner, const std::vector<const store::IndexWork*>& items,
    const LoadBody& load_body, BodyPreparer& preparer, const BlobJobs& jobs) {
  for (const store::IndexWork* work : items) {
    if (work->op == store::IndexWork::kRemoveOwner) {
      MR_RETURN_IF_ERROR(RemoveOwner(owner));
      continue;
    }
    if (work->op != store::IndexWork::kAdd &&
        work->op != store::IndexWork::kMark && !Exists(owner.path)) {
      continue;  // nothing indexed, nothing to remove
    }
    MR_RETURN_IF_ERROR(EnsureWritable(owner));
    Xapian::WritableDatabase& db = *owner.db;
    switch (work->op) {
      case store::IndexWork::kAdd:
        MR_RETURN_IF_ERROR(AddMessage(db, owner.vocabulary, *work, load_body,
                                      preparer, jobs));
        break;
      case store::IndexWork::kRemove:
        db.delete_document(UniqueIdTerm(work->mailbox, work->uid));
        break;
      case store::IndexWork::kRemoveMailbox:
        db.delete_document(MailboxTerm(work->mailbox));
        break;
      case store::IndexWork::kRemoveOwner:
        break;
      case store::IndexWork::kMark:
        db.set_metadata(MarkKey(work->mailbox),
                        absl::StrCat(work->mark_modseq, " ", work->uid));
        break;
    }
  }
  if (owner.db != nullptr && owner.in_transaction) {
    owner.vocabulary.Flush(*owner.db);
    owner.db->commit_transaction();
    owner.in_transaction = false;
    // A database opened with documents learns its words' fields here, once,
    // usually on the background indexer, so a header search need not.
    owner.vocabulary.LearnFields(*owner.db);
  }
  return absl::OkStatus();
}

absl::Status XapianTextIndex::Apply(
    const std::vector<store::IndexWork>& batch, const LoadBody& load_body) {
  // Items of one owner keep their order; owners are independent.
  std::map<std::string, std::vector<const store::IndexWork*>> by_owner;
  for (const store::IndexWork& work : batch) {
    by_owner[work.owner].push_back(&work);
  }
  // Which bodies need decoding, in the order the writer will want them.
  std::vector<BodyPreparer::Job> jobs;
  BlobJobs jobs_by_blob;
  for (const auto& [name, items] : by_owner) {
    std::shared_ptr<OwnerDb> owner = GetOwner(name);
    absl::MutexLock lock(&owner->mu);
    MR_RETURN_IF_ERROR(CallXapian(
        [&] { return PlanOwner(*owner, items, jobs, jobs_by_blob); }));
  }
  const size_t threads = BodyPreparer::ThreadsFor(jobs.size());
  BodyPreparer preparer(std::move(jobs), source_, load_body, threads);
  for (const auto& [name, items] : by_owner) {
    std::shared_ptr<OwnerDb> owner = GetOwner(name);
    absl::ReleasableMutexLock lock(&owner->mu);
    absl::Status status = CallXapian([&] {
      return ApplyOwner(*owner, items, load_body, preparer, jobs_by_blob);
    });
    if (status.ok()) {
      lock.Release();
      CloseIdle();
    } else {
      // Closing without commit drops this owner's uncommitted changes; the
      // caller applies the batch again.
      try {
        CloseDropping(*owner);
      } catch (const Xapian::Error&) {
        owner->in_transaction = false;
        owner->db.reset();
      }
      return status;
    }
  }
  return absl::OkStatus();
}

// The uids of `docids` (ascending), ascending.
absl::StatusOr<std::vector<store::Uid>> UidsOf(
    Xapian::Database& db, const std::vector<Xapian::docid>& docids) {
  std::vector<store::Uid> uids;
  uids.reserve(docids.size());
  Xapian::ValueIterator values = db.valuestream_begin(kSlotUid);
  for (Xapian::docid docid : docids) {
    values.skip_to(docid);
    if (values == db.valuestream_end(kSlotUid) || values.get_docid() != docid) {
      return absl::DataLossError("text index: document without a uid");
    }
    uids.push_back(UidFromValue(*values));
  }
  // Messages are mostly indexed in uid order: a large answer (a NOT) is then
  // already sorted, and checking is linear.
  if (!std::is_sorted(uids.begin(), uids.end())) {
    std::sort(uids.begin(), uids.end());
  }
  return uids;
}

absl::Status XapianTextIndex::OpenForQuery(OwnerDb& owner) {
  MR_RETURN_IF_ERROR(OpenExisting(owner));
  if (owner.incomplete) {
    return absl::DataLossError(absl::StrCat(
        "text index: ", owner.path, " is incomplete; reindex the owner"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<store::Uid>> XapianTextIndex::QueryOwner(
    OwnerDb& owner, store::MailboxId mailbox, const CompiledKey& key) {
  MR_RETURN_IF_ERROR(OpenForQuery(owner));
  Xapian::WritableDatabase& db = *owner.db;
  const bool needs_body = NeedsBody(key);
  const bool needs_headers = NeedsHeaders(key);
  // Keys on header fields expand over those fields' words (a body-only
  // search does not pay for learning them).
  if (needs_headers && owner.vocabulary.LearnFields(db)) {
    ++GetPlannerCounters().fields_learned_by_queries;
  }
  Candidates candidates = FindCandidates(key, owner.vocabulary, db, mailbox);
  std::vector<Xapian::docid> matches = std::move(candidates.sure);
  GetPlannerCounters().documents_verified += candidates.maybe.size();
  static const std::string kNoHeaders = EncodeDocData(FoldedText());
  // Candidates come in ascending docid order: stream the slots.
  Xapian::ValueIterator bodies = db.valuestream_begin(kSlotBody);
  Xapian::ValueIterator headers = db.valuestream_begin(kSlotHeaders);
  auto value_of = [&db](Xapian::ValueIterator& it, unsigned slot,
                        Xapian::docid docid) -> std::string {
    it.skip_to(docid);
    if (it == db.valuestream_end(slot) || it.get_docid() != docid) return "";
    return *it;
  };
  for (const Xapian::docid docid : candidates.maybe) {
    std::string body;
    if (needs_body) body = value_of(bodies, kSlotBody, docid);
    // A BODY-only key skips the headers.
    std::string header_value =
        needs_headers ? value_of(headers, kSlotHeaders, docid) : kNoHeaders;
    MR_ASSIGN_OR_RETURN(
        DocText text, DocText::Decode(std::move(header_value), std::move(body)));
    MR_ASSIGN_OR_RETURN(bool match, Matches(key, text));
    if (match) matches.push_back(docid);
  }
  std::sort(matches.begin(), matches.end());
  return UidsOf(db, matches);
}

absl::StatusOr<std::vector<store::Uid>> XapianTextIndex::Query(
    const std::string& owner_name, store::MailboxId mailbox,
    const store::SearchKey& key) {
  MR_ASSIGN_OR_RETURN(const CompiledKey compiled,
                      CompileKey(key, source_.fold));
  std::shared_ptr<OwnerDb> owner = GetOwner(owner_name);
  absl::StatusOr<std::vector<store::Uid>> result;
  {
    absl::MutexLock lock(&owner->mu);
    result = CallXapian([&]() -> absl::StatusOr<std::vector<store::Uid>> {
      return QueryOwner(*owner, mailbox, compiled);
    });
  }
  CloseIdle();
  return result;
}

absl::StatusOr<store::SentDateAnswer> XapianTextIndex::QuerySentDate(
    const std::string& owner_name, store::MailboxId mailbox,
    const store::SearchKey& key) {
  using Kind = store::SearchKey::Kind;
  if (key.kind != Kind::kSentBefore && key.kind != Kind::kSentOn &&
      key.kind != Kind::kSentSince) {
    return absl::InvalidArgumentError("not a sent-date search key");
  }
  std::shared_ptr<OwnerDb> owner = GetOwner(owner_name);
  absl::StatusOr<store::SentDateAnswer> result;
  {
    absl::MutexLock lock(&owner->mu);
    result = CallXapian([&]() -> absl::StatusOr<store::SentDateAnswer> {
      MR_RETURN_IF_ERROR(OpenForQuery(*owner));
      Xapian::Database& db = *owner->db;
      const SentDateDocs docs = FindSentDate(key.kind, key.number, db, mailbox);
      store::SentDateAnswer answer;
      MR_ASSIGN_OR_RETURN(answer.matches, UidsOf(db, docs.matches));
      MR_ASSIGN_OR_RETURN(answer.undated, UidsOf(db, docs.undated));
      return answer;
    });
  }
  CloseIdle();
  return result;
}

absl::StatusOr<store::IndexMark> XapianTextIndex::GetMark(
    const std::string& owner_name, store::MailboxId mailbox) {
  std::shared_ptr<OwnerDb> owner = GetOwner(owner_name);
  absl::MutexLock lock(&owner->mu);
  if (!Exists(owner->path)) return store::IndexMark{};
  return CallXapian([&]() -> absl::StatusOr<store::IndexMark> {
    MR_RETURN_IF_ERROR(OpenExisting(*owner));
    const std::string value = owner->db->get_metadata(MarkKey(mailbox));
    store::IndexMark mark;
    if (!value.empty() &&
        std::sscanf(value.c_str(), "%" SCNu64 " %" SCNu32, &mark.modseq,
                    &mark.uid) != 2) {
      return absl::DataLossError("text index: malformed mark");
    }
    return mark;
  });
}

absl::StatusOr<std::vector<store::Uid>> XapianTextIndex::ListDocuments(
    const std::string& owner_name, store::MailboxId mailbox) {
  std::shared_ptr<OwnerDb> owner = GetOwner(owner_name);
  absl::StatusOr<std::vector<store::Uid>> result;
  {
    absl::MutexLock lock(&owner->mu);
    if (!Exists(owner->path)) return std::vector<store::Uid>();
    result = CallXapian([&]() -> absl::StatusOr<std::vector<store::Uid>> {
      MR_RETURN_IF_ERROR(OpenExisting(*owner));
      if (owner->incomplete) {
        return absl::DataLossError(absl::StrCat(
            "text index: ", owner->path, " is incomplete; reindex the owner"));
      }
      Xapian::WritableDatabase& db = *owner->db;
      const std::string term = MailboxTerm(mailbox);
      std::vector<store::Uid> uids;
      Xapian::ValueIterator values = db.valuestream_begin(kSlotUid);
      for (Xapian::PostingIterator it = db.postlist_begin(term);
           it != db.postlist_end(term); ++it) {
        values.skip_to(*it);
        if (values == db.valuestream_end(kSlotUid) ||
            values.get_docid() != *it) {
          return absl::DataLossError("text index: document without a uid");
        }
        uids.push_back(UidFromValue(*values));
      }
      std::sort(uids.begin(), uids.end());
      return uids;
    });
  }
  CloseIdle();
  return result;
}

// Glass writes a commit's blocks and then its version file, and changes
// nothing until the next commit: with no Apply() running, the files of each
// database are one committed revision, so a file copy is a consistent one.
// Each owner's mutex keeps a Query from reopening it meanwhile; the copy is
// opened once to check it. The version file names the database (UUID) and
// its revision: a database whose version file equals the one in `previous`
// has not changed since, and its files there are linked instead of copied.
absl::Status XapianTextIndex::CopyTo(const std::string& dir,
                                     const std::string& previous) {
  std::map<std::string, std::shared_ptr<OwnerDb>> open_owners;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, owner] : owners_) open_owners[owner->path] = owner;
  }
  MR_RETURN_IF_ERROR(CreatePrivateDirectory(dir));
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    entries.push_back(entry.path());
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("text index: cannot list ", root_, ": ", ec.message()));
  }
  for (const fs::path& from : entries) {
    const std::string to = (fs::path(dir) / from.filename()).string();
    if (!fs::is_directory(from, ec)) {
      MR_RETURN_IF_ERROR(CopyFilePrivate(from.string(), to));
      continue;
    }
    auto it = open_owners.find(from.string());
    std::unique_ptr<absl::MutexLock> lock;
    if (it != open_owners.end()) {
      lock = std::make_unique<absl::MutexLock>(&it->second->mu);
    }
    const fs::path earlier = fs::path(previous) / from.filename();
    if (previous.empty() ||
        !SameFileContents((from / kVersionFile).string(),
                          (earlier / kVersionFile).string()) ||
        !LinkTree(earlier.string(), to).ok()) {
      std::error_code ignored;
      fs::remove_all(to, ignored);  // a link attempt cut short
      MR_RETURN_IF_ERROR(CopyTreePrivate(from.string(), to));
    }
    MR_RETURN_IF_ERROR(CallXapian([&]() -> absl::Status {
      Xapian::Database copy(to, Xapian::DB_BACKEND_GLASS);
      copy.get_doccount();
      return absl::OkStatus();
    }));
  }
  return SyncDirectory(dir);
}

}  // namespace

absl::StatusOr<std::shared_ptr<store::TextIndex>> OpenXapianTextIndex(
    const std::string& root, TextSource source) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("text index: cannot create ", root, ": ", ec.message()));
  }
  RememberOpenedIndexRoot(root);
  return std::make_shared<XapianTextIndex>(root, std::move(source));
}

}  // namespace mailroom::index
