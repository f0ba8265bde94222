// coio/internal/child_set.h: the one primitive under gather, wait, wait_for,
// as_completed and TaskGroup.
//
// A ChildSet watches a set of tasks: it holds a reference to each, records
// the order in which they end and the first one that failed, and lets the
// task that owns it wait until a condition holds (enough of them ended, or
// one failed), optionally with a deadline. What happens when the owner is
// cancelled while waiting is the caller's choice: kCancelChildren (gather,
// wait_for, TaskGroup: cancel every child, wait for all of them to end, then
// throw CancelledError: no child outlives the call) or kStopWaiting (wait,
// as_completed: the children are independent tasks and keep running).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "coio/backend.h"
#include "coio/internal/parked.h"
#include "coio/internal/promise_base.h"
#include "coio/internal/timer_heap.h"

namespace coio::internal {

class ChildSet {
 public:
  static constexpr std::size_t kAll = static_cast<std::size_t>(-1);

  enum class Failure {
    kNone,                // failures do not end the wait
    kExceptionNotCancel,  // a child raised something other than CancelledError
    kAnyException,        // a child raised anything, CancelledError included
  };
  enum class OnCancel { kCancelChildren, kStopWaiting };

  struct Until {
    std::size_t ended = kAll;  // this many children ended (kAll: every one)
    Failure failure = Failure::kNone;
  };

  ChildSet() = default;
  ChildSet(const ChildSet&) = delete;
  ChildSet& operator=(const ChildSet&) = delete;
  ~ChildSet();

  // With cancel_siblings_on_failure, the first child to raise something
  // other than CancelledError cancels every other child at once (TaskGroup).
  void set_cancel_siblings_on_failure(bool on) noexcept { cancel_siblings_on_failure_ = on; }

  // Makes room for n children, so adding them does not reallocate.
  void reserve(std::size_t n) {
    children_.reserve(n);
    order_.reserve(n);
  }
  // Watches `child`, a task made by create_task. Returns its index.
  std::size_t add(PromiseBase& child);

  std::size_t size() const noexcept { return children_.size(); }
  std::size_t ended() const noexcept { return order_.size(); }
  PromiseBase& child(std::size_t i) const noexcept { return *children_[i].task; }
  // Indices of the children that ended, in the order they did.
  const std::vector<std::size_t>& end_order() const noexcept { return order_; }
  // The first child that raised (CancelledError excluded), or null.
  PromiseBase* first_failure() const noexcept { return first_failure_; }
  // The first child that raised anything, CancelledError included, or null.
  PromiseBase* first_exception() const noexcept { return first_exception_; }

  // Cancels every child that has not ended.
  void cancel_unfinished() noexcept;

  class WaitAwaiter;
  // Waits until `until` holds or `deadline` passes. The await returns true
  // when the condition holds, false on the deadline.
  WaitAwaiter wait(Until until, std::optional<Clock::time_point> deadline, OnCancel on_cancel) noexcept;

  class WaitAwaiter final : Parked, TimerNode {
   public:
    WaitAwaiter(ChildSet& set, Until until, std::optional<Clock::time_point> deadline, OnCancel on_cancel) noexcept
        : set_(set), until_(until), deadline_(deadline), on_cancel_(on_cancel) {}
    bool await_ready() const noexcept { return set_.holds(until_); }
    bool await_suspend(std::coroutine_handle<> h) noexcept;
    bool await_resume() const {
      throw_if_cancelled();
      return !timed_out_;
    }

   private:
    friend class ChildSet;
    void cancel() noexcept override;
    void child_ended() noexcept;
    void finish() noexcept;

    ChildSet& set_;
    Until until_;
    std::optional<Clock::time_point> deadline_;
    OnCancel on_cancel_;
    bool timed_out_ = false;
    bool cancel_after_all_end_ = false;
  };

 private:
  struct Child : Waiter {
    Child() = default;
    // Moving a node that is linked into a task's waiter list relinks its
    // neighbours to the new address, so children_ may grow.
    Child(Child&& other) noexcept : Waiter(other), task(other.task), set(other.set), index(other.index) {
      if (linked()) {
        prev->next = this;
        next->prev = this;
        other.prev = other.next = nullptr;
      }
    }
    PromiseBase* task = nullptr;
    ChildSet* set = nullptr;
    std::size_t index = 0;
  };

  bool holds(const Until& until) const noexcept;
  void on_child_end(Child& child) noexcept;

  std::vector<Child> children_;
  std::vector<std::size_t> order_;
  PromiseBase* first_failure_ = nullptr;
  PromiseBase* first_exception_ = nullptr;
  WaitAwaiter* waiting_ = nullptr;
  bool cancel_siblings_on_failure_ = false;
};

inline ChildSet::WaitAwaiter ChildSet::wait(Until until, std::optional<Clock::time_point> deadline,
                                            OnCancel on_cancel) noexcept {
  return WaitAwaiter(*this, until, deadline, on_cancel);
}

}  // namespace coio::internal
