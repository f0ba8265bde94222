// coio/to_thread.h: asyncio.to_thread.
//
// Runs blocking code on the loop's thread pool and awaits its result
// without blocking the loop. Arguments are copied (or moved) to the pool
// thread. Cancelling the await resumes the caller at once with
// CancelledError; the call itself cannot be interrupted, finishes on its
// thread, and its result is dropped.
//
//   std::string digest = co_await coio::to_thread(sha256_file, path);
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "coio/internal/parked.h"
#include "coio/task.h"

namespace coio {
namespace internal {

class ThreadCallAwaiter;

// Shared by the loop thread and the pool thread that runs the call.
struct ThreadJob {
  virtual ~ThreadJob() = default;
  virtual void run() noexcept = 0;
  std::exception_ptr error;
  ThreadCallAwaiter* awaiter = nullptr;  // loop thread only; null once abandoned
};

template <class R>
struct TypedThreadJob final : ThreadJob {
  explicit TypedThreadJob(absl::AnyInvocable<R()> f) : fn(std::move(f)) {}
  void run() noexcept override {
    try {
      if constexpr (std::is_void_v<R>) {
        fn();
      } else {
        value.emplace(fn());
      }
    } catch (...) {
      error = std::current_exception();
    }
    fn = nullptr;  // destroy the captured arguments on the pool thread
  }
  R take() {
    if (error) std::rethrow_exception(error);
    if constexpr (!std::is_void_v<R>) return std::move(*value);
  }
  absl::AnyInvocable<R()> fn;
  std::conditional_t<std::is_void_v<R>, char, std::optional<R>> value;
};

class ThreadCallAwaiter final : Parked {
 public:
  explicit ThreadCallAwaiter(std::shared_ptr<ThreadJob> job) noexcept : job_(std::move(job)) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume() const { throw_if_cancelled(); }

 private:
  void cancel() noexcept override;
  std::shared_ptr<ThreadJob> job_;
};

}  // namespace internal

template <class F, class... Args>
auto to_thread(F fn, Args... args)
    -> Task<std::invoke_result_t<std::decay_t<F>&, std::decay_t<Args>&...>> {
  using R = std::invoke_result_t<std::decay_t<F>&, std::decay_t<Args>&...>;
  auto job = std::make_shared<internal::TypedThreadJob<R>>(
      [fn = std::move(fn), ... args = std::move(args)]() mutable -> R { return std::invoke(fn, args...); });
  co_await internal::ThreadCallAwaiter(job);
  co_return job->take();
}

}  // namespace coio
