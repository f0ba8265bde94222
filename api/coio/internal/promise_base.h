// coio/internal/promise_base.h: the part of every Task coroutine's promise
// that does not depend on its result type.
//
// A Task awaited directly runs as part of the awaiting task (symmetric
// transfer in, continuation out). A Task given to create_task() becomes a
// root: an asyncio.Task with a reference count (TaskHandles and the loop
// while it runs), a cancel request, the await point it is suspended on, and
// the waiters to notify when it ends. The frame itself is the task object,
// so scheduling a task allocates nothing beyond its frame.
#pragma once

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "coio/internal/frame_pool.h"
#include "coio/internal/suspension.h"

namespace coio {
class Loop;
}  // namespace coio

namespace coio::internal {

// Rarely used parts of a root task, allocated on first use.
struct TaskExtras {
  std::string name;
  std::vector<absl::AnyInvocable<void()>> done_callbacks;
};

class PromiseBase {
 public:
  enum class State : std::uint8_t { kNotRoot, kScheduled, kRunning, kDone };

  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* frame, std::size_t size) noexcept { free_frame(frame, size); }

  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  // --- every Task ---
  std::coroutine_handle<> continuation_;  // who awaits this Task directly
  std::exception_ptr exception_;

  // --- roots (create_task) only ---
  bool is_root() const noexcept { return state_ != State::kNotRoot; }
  bool done() const noexcept { return state_ == State::kDone; }
  bool cancelled() const noexcept { return cancelled_; }

  // Requests cancellation (asyncio.Task.cancel). Returns false when done.
  bool cancel() noexcept;
  void add_ref() noexcept { ++refs_; }
  // Drops a reference; the frame is destroyed with the last one once done.
  void release() noexcept;
  std::string name() const;
  void set_name(std::string name);
  void add_done_callback(absl::AnyInvocable<void()> fn);

  // Takes a cancel() that arrived while the task was not suspended, so the
  // next await point can throw it. Returns whether there was one.
  bool take_pending_cancel() noexcept {
    bool pending = cancel_pending_;
    cancel_pending_ = false;
    return pending;
  }

  State state_ = State::kNotRoot;
  bool cancel_pending_ = false;
  bool cancel_in_flight_ = false;  // woken to throw CancelledError, not yet thrown
  bool cancelled_ = false;
  bool outcome_observed_ = false;  // someone awaited it or read its result
  bool debug_ = false;             // report an exception nobody observed
  std::uint32_t refs_ = 0;
  Loop* loop_ = nullptr;
  Suspension* suspended_on_ = nullptr;
  std::coroutine_handle<> frame_;
  WaiterList waiters_;  // notified when the task ends
  PromiseBase* live_prev_ = nullptr;  // the loop's list of unfinished roots
  PromiseBase* live_next_ = nullptr;
  std::uint64_t id_ = 0;
  std::unique_ptr<TaskExtras> extras_;
};

// Called at a root's final suspend: records the outcome, wakes its waiters,
// drops the loop's reference (which may destroy the frame).
void finish_root(PromiseBase& root) noexcept;

}  // namespace coio::internal
