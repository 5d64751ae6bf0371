// Decodes message bodies and builds their Xapian documents on a few worker
// threads, ahead of the one thread that writes them to the database (a
// Xapian WritableDatabase takes one writer). Decoding, folding and term
// generation are most of the indexing cost and need no database, so they
// overlap with the writer's work on earlier documents.
//
// Jobs are prepared in order, at most kWindow ahead of the last one the
// writer asked for, which bounds the memory held by prepared documents.
// Calls of the body loader are serialised (its contract does not promise
// thread-safety).
//
// Thread-safety: Get() is called from one thread; the workers are internal.
// The destructor stops and joins the workers.
#ifndef MAILROOM_INDEX_BODY_PREPARER_H_
#define MAILROOM_INDEX_BODY_PREPARER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "index/folded_text.h"
#include "index/vocabulary.h"
#include "store/text_index.h"
#include "store/types.h"
#include "xapian.h"

namespace mailroom::index {

using LoadBody = store::LoadStoredBody;

// A body turned into its document.
struct PreparedBody {
  // kNotFound when the body is gone (the message was expunged meanwhile).
  absl::Status status;
  Xapian::Document doc;
  WordList words;  // the document's words, for the owner's vocabulary
  // The (mailbox, uid) the document is labelled for; Relabel for another.
  store::MailboxId mailbox = 0;
  store::Uid uid = 0;
};

// Loads nothing: decodes `body` (from its stored structure when it has one)
// and builds the document (pure; any thread).
void BuildPreparedBody(const store::StoredBody& body, const TextSource& source,
                       const std::string& blob_id, PreparedBody& out);

class BodyPreparer {
 public:
  struct Job {
    std::string blob_id;
    store::MailboxId mailbox = 0;
    store::Uid uid = 0;
  };

  // How far workers run ahead of the writer.
  static constexpr size_t kWindow = 64;

  // `threads` == 0 prepares each job inside Get().
  BodyPreparer(std::vector<Job> jobs, const TextSource& source,
               const LoadBody& load_body, size_t threads);
  ~BodyPreparer();
  BodyPreparer(const BodyPreparer&) = delete;
  BodyPreparer& operator=(const BodyPreparer&) = delete;

  // Blocks until job `i` is prepared and returns it (owned by this object).
  PreparedBody& Get(size_t i);

  // Worker threads worth starting for `jobs` jobs on this machine.
  static size_t ThreadsFor(size_t jobs);

 private:
  void Prepare(size_t i);
  void WorkerLoop();

  const std::vector<Job> jobs_;
  const TextSource& source_;
  const LoadBody& load_body_;
  std::vector<PreparedBody> results_;
  absl::Mutex load_mu_;
  absl::Mutex mu_;
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;       // first job not yet taken
  size_t requested_ ABSL_GUARDED_BY(mu_) = 0;  // one past the last Get()
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<char> ready_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_;
};

}  // namespace mailroom::index

#endif  // MAILROOM_INDEX_BODY_PREPARER_H_
