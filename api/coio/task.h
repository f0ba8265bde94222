// coio/task.h: Task<T>, a coroutine that produces a T (asyncio's coroutine).
//
// A Task is lazy: it runs when awaited, or when handed to create_task(). It
// is move-only. Awaiting it runs it as part of the awaiting task, with no
// trip through the loop, and returns its value or rethrows its exception.
//
//   coio::Task<int> answer() { co_await coio::sleep(10ms); co_return 42; }
//   coio::Task<void> main_task() { int v = co_await answer(); }
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "coio/errors.h"
#include "coio/internal/promise_base.h"

namespace coio {

template <class T = void>
class Task;

namespace internal {

struct FinalAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class Promise>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
    PromiseBase& p = h.promise();
    if (p.is_root()) {
      finish_root(p);  // may destroy the frame: touch nothing after
      return std::noop_coroutine();
    }
    return p.continuation_;
  }
  void await_resume() const noexcept {}
};

template <class T>
class TaskPromise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  FinalAwaiter final_suspend() noexcept { return {}; }

  template <class U = T>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }

  // Moves the result out (or rethrows): for the single awaiter of a Task.
  T take_result() {
    if (exception_) std::rethrow_exception(exception_);
    return std::move(*value_);
  }
  // Copies the result when T can be copied, for a handle awaited again.
  T result() {
    if (exception_) std::rethrow_exception(exception_);
    if constexpr (std::is_copy_constructible_v<T>) {
      return *value_;
    } else {
      return std::move(*value_);
    }
  }

 private:
  std::optional<T> value_;
};

template <>
class TaskPromise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  FinalAwaiter final_suspend() noexcept { return {}; }
  void return_void() noexcept {}
  void take_result() {
    if (exception_) std::rethrow_exception(exception_);
  }
  void result() { take_result(); }
};

}  // namespace internal

template <class T>
class [[nodiscard]] Task {
 public:
  using promise_type = internal::TaskPromise<T>;
  using value_type = T;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle h) noexcept : h_(h) {}
  Task(Task&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  ~Task() { reset(); }

  // True when this Task holds a coroutine that has not been handed off.
  bool valid() const noexcept { return static_cast<bool>(h_); }

  auto operator co_await() && noexcept { return Awaiter{h_}; }
  auto operator co_await() & noexcept { return Awaiter{h_}; }

  // Gives up ownership of the coroutine (create_task takes it this way).
  Handle release() noexcept { return std::exchange(h_, {}); }

 private:
  struct Awaiter {
    Handle h;
    bool await_ready() const {
      if (!h) throw InvalidStateError("co_await on an empty coio::Task");
      return false;
    }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
      h.promise().continuation_ = awaiting;
      return h;
    }
    T await_resume() { return h.promise().take_result(); }
  };

  void reset() noexcept {
    if (h_) std::exchange(h_, {}).destroy();
  }

  Handle h_;
};

namespace internal {
template <class T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>{std::coroutine_handle<TaskPromise<T>>::from_promise(*this)};
}
inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>{std::coroutine_handle<TaskPromise<void>>::from_promise(*this)};
}
}  // namespace internal

}  // namespace coio
