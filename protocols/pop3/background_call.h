// A blocking call started on the host's worker pool without waiting for it:
// the session keeps answering its client and collects the result later.
// POP3 reads the next messages this way while the client downloads the
// ones already read, so a sequential download never waits for the store.
//
// Thread-safety: not thread-safe. Start and Wait run on the session's
// network thread, where the call's completion resumes too (RunBlocking).
#ifndef MAILROOM_PROTOCOLS_POP3_BACKGROUND_CALL_H_
#define MAILROOM_PROTOCOLS_POP3_BACKGROUND_CALL_H_

#include <coroutine>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "protocols/api/plugin.h"
#include "protocols/api/task.h"

namespace mailroom::pop3 {

template <typename T>
class BackgroundCall {
 public:
  BackgroundCall() = default;
  BackgroundCall(const BackgroundCall&) = delete;
  BackgroundCall& operator=(const BackgroundCall&) = delete;
  // A call still running finishes into state of its own; the owner should
  // Wait() first when `fn` uses anything the owner's end tears down.
  ~BackgroundCall() = default;

  // True from Start until Wait takes the result.
  bool started() const { return state_ != nullptr; }

  // Starts `fn` on `conn`'s worker pool and returns at once. `fn` must not
  // touch the caller's state: it runs on another thread meanwhile.
  // REQUIRES: !started().
  void Start(plugin::Connection& conn, std::function<T()> fn) {
    state_ = std::make_shared<State>();
    plugin::Spawn(Run(conn, std::move(fn), state_));
  }

  // The result of `fn`, waiting for it if needed (rethrows what it threw).
  // REQUIRES: started(). Afterwards started() is false.
  plugin::Task<T> Wait() {
    std::shared_ptr<State> state = std::move(state_);
    co_await Awaiter{state.get()};
    if (state->error) std::rethrow_exception(state->error);
    co_return std::move(*state->value);
  }

 private:
  struct State {
    bool done = false;
    std::optional<T> value;
    std::exception_ptr error;
    std::coroutine_handle<> waiter;  // the Wait() suspended on this call
  };

  struct Awaiter {
    State* state;
    bool await_ready() const noexcept { return state->done; }
    void await_suspend(std::coroutine_handle<> h) noexcept {
      state->waiter = h;
    }
    void await_resume() const noexcept {}
  };

  static plugin::Task<void> Run(plugin::Connection& conn,
                                std::function<T()> fn,
                                std::shared_ptr<State> state) {
    try {
      state->value.emplace(co_await plugin::Blocking(conn, std::move(fn)));
    } catch (...) {
      state->error = std::current_exception();
    }
    state->done = true;
    if (std::coroutine_handle<> waiter = std::exchange(state->waiter, {})) {
      waiter.resume();
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace mailroom::pop3

#endif  // MAILROOM_PROTOCOLS_POP3_BACKGROUND_CALL_H_
