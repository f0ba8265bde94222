// coio/condition.h: asyncio.Condition.
//
// Lets tasks wait, under a Lock, for a state change another task announces
// with notify(). wait() must be called with the lock held: it releases the
// lock, waits for a notify, and takes the lock back before returning, also
// when it is cancelled (the CancelledError then comes with the lock held,
// as in asyncio).
//
//   coio::Lock lock;  coio::Condition changed;
//   auto guard = co_await lock.lock();
//   co_await changed.wait_for(lock, [&] { return !items.empty(); });
#pragma once

#include <cstddef>

#include "coio/internal/wait_list.h"
#include "coio/lock.h"
#include "coio/task.h"

namespace coio {

class Condition {
 public:
  Condition() = default;
  Condition(const Condition&) = delete;
  Condition& operator=(const Condition&) = delete;

  // Releases `lock`, waits for notify(), takes `lock` back. Throws
  // InvalidStateError if the lock is not held.
  Task<void> wait(Lock& lock);
  Task<void> wait(Lock::Guard& guard) { return wait(*guard.lock()); }

  // Waits until pred() is true, checking it under the lock after each wake.
  template <class Pred>
  Task<void> wait_for(Lock& lock, Pred pred) {
    while (!pred()) co_await wait(lock);
  }

  // Wakes up to n waiting tasks.
  void notify(std::size_t n = 1) noexcept { waiters_.wake(n); }
  void notify_all() noexcept { waiters_.wake_all(); }

 private:
  internal::WaitList waiters_;
};

}  // namespace coio
