#include "index/body_preparer.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "index/document_builder.h"
#include "index/xapian_status.h"

namespace mailroom::index {

void BuildPreparedBody(const store::StoredBody& body, const TextSource& source,
                       const std::string& blob_id, PreparedBody& out) {
  const std::string& raw = *body.raw;
  const FoldedText text =
      body.structure != nullptr && source.extract_stored
          ? source.extract_stored(raw, *body.structure)
          : source.extract(raw);
  // The owner's vocabulary learns the words when the document is written.
  out.doc = BuildDocument(
      text, blob_id, out.mailbox, out.uid,
      [&out](std::string_view word, std::string_view prefix) {
        out.words.Add(word, FieldBit(prefix));
      });
}

BodyPreparer::BodyPreparer(std::vector<Job> jobs, const TextSource& source,
                           const LoadBody& load_body, size_t threads)
    : jobs_(std::move(jobs)),
      source_(source),
      load_body_(load_body),
      results_(jobs_.size()) {
  {
    absl::MutexLock lock(&mu_);
    ready_.assign(jobs_.size(), 0);
  }
  threads = std::min(threads, jobs_.size());
  for (size_t t = 0; t < threads; ++t) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

BodyPreparer::~BodyPreparer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  for (std::thread& worker : workers_) worker.join();
}

size_t BodyPreparer::ThreadsFor(size_t jobs) {
  if (jobs < 4) return 0;  // not worth a thread
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::min<size_t>(cores, 4);
}

void BodyPreparer::Prepare(size_t i) {
  const Job& job = jobs_[i];
  PreparedBody& out = results_[i];
  out.mailbox = job.mailbox;
  out.uid = job.uid;
  absl::StatusOr<store::StoredBody> raw;
  {
    absl::MutexLock lock(&load_mu_);
    raw = load_body_(job.blob_id);
  }
  if (!raw.ok()) {
    out.status = raw.status();
    return;
  }
  if (raw->raw == nullptr) {
    out.status = absl::InternalError("text index: body loader gave no bytes");
    return;
  }
  // Nothing may escape a worker thread: every failure becomes the status.
  try {
    out.status = CallXapian([&] {
      BuildPreparedBody(*raw, source_, job.blob_id, out);
      return absl::OkStatus();
    });
  } catch (const std::exception& e) {
    out.status = absl::InternalError(
        absl::StrCat("text index: preparing ", job.blob_id, ": ", e.what()));
  }
}

void BodyPreparer::WorkerLoop() {
  for (;;) {
    size_t i = 0;
    {
      absl::MutexLock lock(&mu_);
      auto can_take = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || next_ >= jobs_.size() ||
               next_ < requested_ + kWindow;
      };
      mu_.Await(absl::Condition(&can_take));
      if (stop_ || next_ >= jobs_.size()) return;
      i = next_++;
    }
    Prepare(i);
    absl::MutexLock lock(&mu_);
    ready_[i] = 1;
  }
}

PreparedBody& BodyPreparer::Get(size_t i) {
  if (workers_.empty()) {
    bool done = false;
    {
      absl::MutexLock lock(&mu_);
      done = ready_[i] != 0;
      ready_[i] = 1;
    }
    if (!done) Prepare(i);
    return results_[i];
  }
  absl::MutexLock lock(&mu_);
  requested_ = std::max(requested_, i + 1);
  auto ready = [this, i]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return ready_[i] != 0;
  };
  mu_.Await(absl::Condition(&ready));
  return results_[i];
}

}  // namespace mailroom::index
