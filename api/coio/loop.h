// coio/loop.h: the event loop (asyncio's loop object).
//
// One Loop per thread runs the tasks of one coio::run(). Code inside a task
// reaches it with Loop::current():
//
//   auto& loop = coio::Loop::current();
//   loop.call_later(100ms, [] { std::puts("later"); });
//   std::printf("running on %s\n", std::string(loop.backend_name()).c_str());
//
// Everything here is for the loop's own thread except call_soon_threadsafe(),
// which any thread may call.
#pragma once

#include <atomic>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "coio/backend.h"
#include "coio/internal/promise_base.h"
#include "coio/internal/ready_queue.h"
#include "coio/internal/timer_heap.h"

namespace coio {

namespace internal {
class ThreadPool;

// A callback scheduled with call_soon/call_later. Reference counted by hand:
// one reference for the loop while scheduled, one per CallbackHandle.
struct Callback : TimerNode {
  absl::AnyInvocable<void()> fn;
  Loop* loop = nullptr;
  int refs = 1;
  bool cancelled = false;
  bool done = false;
};
void release(Callback* cb) noexcept;
}  // namespace internal

// A callback scheduled by call_soon or call_later (asyncio.Handle). Cheap to
// copy; cancel() stops it from running if it has not run yet.
class CallbackHandle {
 public:
  CallbackHandle() = default;
  explicit CallbackHandle(internal::Callback* cb) noexcept;  // takes a new reference
  CallbackHandle(const CallbackHandle& other) noexcept;
  CallbackHandle& operator=(CallbackHandle other) noexcept;
  ~CallbackHandle();

  // Stops the callback from running. Returns false when it already ran or
  // was cancelled before.
  bool cancel() noexcept;
  bool cancelled() const noexcept { return cb_ && cb_->cancelled; }

 private:
  internal::Callback* cb_ = nullptr;
};

struct LoopOptions {
  // Reports tasks that failed and were never awaited, and callbacks or task
  // steps that block the loop for longer than slow_callback. COIO_DEBUG=1 in
  // the environment turns it on too.
  bool debug = false;
  std::chrono::milliseconds slow_callback{100};
  // The backend to use; null means make_backend() (the one built in).
  std::unique_ptr<Backend> backend;
};

class Loop {
 public:
  // Makes this thread's loop. Throws InvalidStateError if it already has one.
  explicit Loop(LoopOptions options = {});
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Returns the loop running on this thread. Throws InvalidStateError when
  // called outside coio::run (asyncio.get_running_loop).
  static Loop& current();
  static Loop* current_or_null() noexcept;

  // Seconds on the loop's monotonic clock (loop.time()).
  double time() const noexcept;
  Clock::time_point now() const noexcept { return Clock::now(); }

  // Runs fn on a later turn of the loop, in the order scheduled.
  CallbackHandle call_soon(absl::AnyInvocable<void()> fn);
  // Runs fn once `delay` has passed (a negative delay counts as zero).
  template <class Rep, class Period>
  CallbackHandle call_later(std::chrono::duration<Rep, Period> delay, absl::AnyInvocable<void()> fn) {
    return call_at(now() + std::chrono::ceil<Clock::duration>(delay), std::move(fn));
  }
  CallbackHandle call_later(absl::Duration delay, absl::AnyInvocable<void()> fn) {
    return call_later(absl::ToChronoNanoseconds(delay), std::move(fn));
  }
  CallbackHandle call_at(Clock::time_point when, absl::AnyInvocable<void()> fn);
  // Schedules fn from any thread and wakes the loop. fn runs on the loop's
  // thread. Calls made after the loop ended are dropped.
  void call_soon_threadsafe(absl::AnyInvocable<void()> fn);

  // Names the backend running this loop: "io_uring", "asio" or "iocp".
  std::string_view backend_name() const noexcept { return backend_->name(); }
  bool debug() const noexcept { return options_.debug; }

  // Runs the loop until `task` ends (loop.run_until_complete).
  void run_until_done(internal::PromiseBase& task);
  // Cancels every unfinished task and runs until all have ended and every
  // operation has come back from the backend (asyncio.run's clean-up).
  void cancel_all_and_drain();

  // ---- Used by coio's own awaitables, not by programs. ----
  internal::PromiseBase* current_task() const noexcept { return current_task_; }
  // Queues `handle` to be resumed on behalf of `task` (null: not in a task).
  void schedule(std::coroutine_handle<> handle, internal::PromiseBase* task) {
    ready_.push({handle, task, nullptr});
  }
  void add_timer(internal::TimerNode& timer) { timers_.push(timer); }
  void remove_timer(internal::TimerNode& timer) noexcept {
    if (timer.queued()) timers_.remove(timer);
  }
  // Hands an operation to the backend; the loop keeps running until it
  // comes back, even at shutdown.
  void submit(Operation& op) {
    ++ops_in_flight_;
    backend_->submit(op);
  }
  void cancel(Operation& op) { backend_->cancel(op); }
  void forget(std::intptr_t handle) noexcept { backend_->forget(handle); }
  void operation_returned() noexcept { --ops_in_flight_; }
  void schedule_callback(internal::Callback* cb) { ready_.push({{}, nullptr, cb}); }
  void start_root(internal::PromiseBase& root, std::coroutine_handle<> frame) noexcept;
  void finish_root(internal::PromiseBase& root) noexcept;
  internal::ThreadPool& thread_pool();

 private:
  void run_once();
  void run_ready_item(const internal::ReadyItem& item);
  void run_callback(internal::Callback* cb);
  void start_step(internal::PromiseBase& task, std::coroutine_handle<> handle);
  void fire_due_timers();
  void take_remote_callbacks();
  void report_slow(const internal::ReadyItem& item, Clock::duration took);

  LoopOptions options_;
  std::unique_ptr<Backend> backend_;
  internal::ReadyQueue ready_;
  internal::TimerHeap timers_;
  internal::PromiseBase* current_task_ = nullptr;
  internal::PromiseBase* live_tasks_ = nullptr;  // unfinished roots
  std::size_t ops_in_flight_ = 0;
  std::uint64_t next_task_id_ = 1;

  std::mutex remote_mutex_;
  std::vector<absl::AnyInvocable<void()>> remote_;
  std::atomic<bool> remote_pending_{false};
  bool closed_ = false;  // guarded by remote_mutex_

  std::unique_ptr<internal::ThreadPool> thread_pool_;
};

}  // namespace coio
