// coio/lock.h: asyncio.Lock.
//
// A mutual-exclusion lock for tasks, fair (FIFO): unlock() hands the lock
// straight to the first waiting task. lock() gives a Guard that unlocks when
// it goes out of scope.
//
//   coio::Lock lock;
//   {
//     auto guard = co_await lock.lock();
//     ... // one task at a time here
//   }
//
// Cancelling a task blocked in lock() takes it out of the queue; it never
// gets the lock.
#pragma once

#include <utility>

#include "coio/internal/wait_list.h"
#include "coio/task.h"

namespace coio {

class Lock {
 public:
  // Owns the lock while alive (like std::unique_lock).
  class Guard {
   public:
    Guard() noexcept = default;
    explicit Guard(Lock* lock) noexcept : lock_(lock) {}
    Guard(Guard&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
    Guard& operator=(Guard&& other) noexcept {
      if (this != &other) {
        unlock();
        lock_ = std::exchange(other.lock_, nullptr);
      }
      return *this;
    }
    ~Guard() { unlock(); }

    bool owns_lock() const noexcept { return lock_ != nullptr; }
    Lock* lock() const noexcept { return lock_; }
    void unlock() noexcept {
      if (lock_) std::exchange(lock_, nullptr)->unlock();
    }

   private:
    Lock* lock_ = nullptr;
  };

  Lock() = default;
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

  // Waits for the lock and returns a Guard owning it.
  Task<Guard> lock();
  // Takes the lock if it is free; never waits.
  bool try_lock() noexcept;
  // Releases the lock, handing it to the first waiter if there is one.
  // Throws InvalidStateError when the lock is not held.
  void unlock();
  bool locked() const noexcept { return locked_; }

  // Takes the lock back for Condition::wait: a cancel() is kept for the next
  // await instead of leaving the caller without the lock.
  Task<void> lock_uninterruptible();

 private:
  internal::WaitList waiters_;
  bool locked_ = false;
};

}  // namespace coio
