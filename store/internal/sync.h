// Mutexes for the store's own shared state.
//
// Debian's Abseil is not built with ThreadSanitizer, so TSan cannot see the
// happens-before edges of absl::Mutex and reports false races on data it
// guards. These wrappers use the standard library's locks (pthread, which
// TSan intercepts) and keep Abseil's thread-safety annotations, so
// ABSL_GUARDED_BY still documents and (under clang) checks the locking.
//
// Thread-safety: these are the synchronisation primitives.
#ifndef MAILROOM_STORE_INTERNAL_SYNC_H_
#define MAILROOM_STORE_INTERNAL_SYNC_H_

#include <chrono>
#include <condition_variable>
#include <shared_mutex>

#include "absl/base/thread_annotations.h"

namespace mailroom::store::internal {

class ABSL_LOCKABLE Mutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() { mu_.lock_shared(); }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock_shared(); }

  // BasicLockable, for std::condition_variable_any.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::shared_mutex mu_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
};

class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->ReaderLock();
  }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  Mutex* mu_;
};

// Waits on a Mutex held exclusively by the caller.
class CondVar {
 public:
  // Returns when `done()` is true or `timeout` passed (re-checking `done`).
  template <typename Predicate>
  void WaitFor(Mutex* mu, std::chrono::milliseconds timeout, Predicate done) {
    cv_.wait_for(*mu, timeout, done);
  }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_SYNC_H_
