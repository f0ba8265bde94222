// coio/internal/wait_list.h: tasks parked until something wakes them, in
// FIFO order — the shared core of Event, Lock, Semaphore, Condition and the
// queues.
//
// A parked task that is cancelled leaves the list and throws
// CancelledError. A task that was woken is off the list before it resumes,
// so a cancel() arriving in between is kept for its next await: whatever
// the wake-up handed it (a lock, a permit, a queue slot) is not lost.
#pragma once

#include <coroutine>
#include <cstddef>

#include "coio/internal/parked.h"
#include "coio/internal/suspension.h"

namespace coio::internal {

class WaitList {
 public:
  class Awaiter;

  bool empty() const noexcept { return list_.empty(); }

  // Parks the awaiting task on this list (unless `ready` is already true).
  Awaiter wait(bool ready = false) noexcept;
  // Like wait(), but a cancel() is kept pending for the next await instead
  // of interrupting this one.
  Awaiter wait_uninterruptible() noexcept;

  // Wakes the first parked task; returns false when there is none.
  bool wake_one() noexcept;
  // Wakes up to n parked tasks; returns how many.
  std::size_t wake(std::size_t n) noexcept;
  void wake_all() noexcept { list_.notify_all(); }

  // Parks the awaiting task on `list` until a notify; shield() uses it on a
  // task's own list of waiters.
  class Awaiter final : Parked, Waiter {
   public:
    Awaiter(WaiterList& list, bool ready, bool uninterruptible) noexcept
        : list_(list), ready_(ready), uninterruptible_wait_(uninterruptible) {}
    bool await_ready() const noexcept { return ready_; }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
      if (uninterruptible_wait_) {
        park_uninterruptible(h);
      } else if (!park(h)) {
        return false;
      }
      notify = [](Waiter& w) noexcept { static_cast<Awaiter&>(w).wake(); };
      list_.push_back(*this);
      return true;
    }
    void await_resume() const { throw_if_cancelled(); }

   private:
    void cancel() noexcept override {
      if (!begin_cancel()) return;
      WaiterList::remove(*this);
      wake_cancelled();
    }
    WaiterList& list_;
    bool ready_;
    bool uninterruptible_wait_;
  };

 private:
  WaiterList list_;
};

inline WaitList::Awaiter WaitList::wait(bool ready) noexcept { return Awaiter(list_, ready, false); }
inline WaitList::Awaiter WaitList::wait_uninterruptible() noexcept { return Awaiter(list_, false, true); }

inline bool WaitList::wake_one() noexcept {
  Waiter* w = list_.pop_front();
  if (!w) return false;
  w->notify(*w);
  return true;
}

inline std::size_t WaitList::wake(std::size_t n) noexcept {
  std::size_t woken = 0;
  while (woken < n && wake_one()) ++woken;
  return woken;
}

}  // namespace coio::internal
