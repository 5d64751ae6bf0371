// Task<T>: a lazily started C++20 coroutine, the one asynchronous type of the
// plugin ABI. Plugins write sessions as straight-line code that co_awaits
// the host's I/O; the host resumes them from its event loop. Nothing of the
// host's networking library crosses the plugin boundary.
//
// A Task starts when awaited and resumes its awaiter when done (symmetric
// transfer, so long chains do not grow the stack). Exceptions propagate to
// the awaiter. Spawn() runs a Task<void> detached.
//
// Thread-safety: a Task is owned by one coroutine chain at a time.
#ifndef MAILROOM_PROTOCOLS_API_TASK_H_
#define MAILROOM_PROTOCOLS_API_TASK_H_

#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <utility>

namespace mailroom::plugin {

template <typename T = void>
class Task;

namespace internal {

struct PromiseBase {
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(
        std::coroutine_handle<P> h) const noexcept {
      return h.promise().continuation;
    }
    void await_resume() const noexcept {}
  };
  std::suspend_always initial_suspend() const noexcept { return {}; }
  FinalAwaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { exception = std::current_exception(); }

  std::coroutine_handle<> continuation = std::noop_coroutine();
  std::exception_ptr exception;
};

template <typename T>
struct Promise : PromiseBase {
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() {
    if (exception) std::rethrow_exception(exception);
    return std::move(*value);
  }
  std::optional<T> value;
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() {
    if (exception) std::rethrow_exception(exception);
  }
};

}  // namespace internal

template <typename T>
class [[nodiscard]] Task {
 public:
  using promise_type = internal::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  explicit Task(Handle h) noexcept : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (h_) h_.destroy();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (h_) h_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    h_.promise().continuation = awaiter;
    return h_;
  }
  T await_resume() { return h_.promise().take(); }

 private:
  Handle h_;
};

namespace internal {
template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}

// An eagerly started coroutine that destroys itself when it finishes.
struct Detached {
  struct promise_type {
    Detached get_return_object() const noexcept { return {}; }
    std::suspend_never initial_suspend() const noexcept { return {}; }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }
  };
};

inline Detached RunDetached(Task<void> task, std::function<void()> on_done) {
  try {
    co_await std::move(task);
  } catch (...) {
    // A plugin catches everything at its boundary; reaching here is a bug,
    // but a session must never take the process down.
  }
  if (on_done) on_done();
}
}  // namespace internal

// Starts `task` now, on the calling thread, and returns at its first
// suspension. `on_done` runs when it finishes.
inline void Spawn(Task<void> task, std::function<void()> on_done = nullptr) {
  internal::RunDetached(std::move(task), std::move(on_done));
}

}  // namespace mailroom::plugin

#endif  // MAILROOM_PROTOCOLS_API_TASK_H_
