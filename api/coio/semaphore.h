// coio/semaphore.h: asyncio.Semaphore.
//
// A counter of permits: acquire() takes one, waiting (FIFO) while there are
// none; release() gives one back, straight to the first waiter if any.
// acquire() returns a Guard that releases when it goes out of scope.
//
//   coio::Semaphore limit(10);   // at most 10 downloads at once
//   auto permit = co_await limit.acquire();
#pragma once

#include <cstddef>
#include <utility>

#include "coio/internal/wait_list.h"
#include "coio/task.h"

namespace coio {

class Semaphore {
 public:
  class Guard {
   public:
    Guard() noexcept = default;
    explicit Guard(Semaphore* sem) noexcept : sem_(sem) {}
    Guard(Guard&& other) noexcept : sem_(std::exchange(other.sem_, nullptr)) {}
    Guard& operator=(Guard&& other) noexcept {
      if (this != &other) {
        release();
        sem_ = std::exchange(other.sem_, nullptr);
      }
      return *this;
    }
    ~Guard() { release(); }
    bool owns_permit() const noexcept { return sem_ != nullptr; }
    void release() noexcept {
      if (sem_) std::exchange(sem_, nullptr)->release();
    }

   private:
    Semaphore* sem_ = nullptr;
  };

  explicit Semaphore(std::size_t permits = 1) noexcept : value_(permits) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Waits for a permit and returns a Guard holding it.
  Task<Guard> acquire();
  // Takes a permit if one is free; never waits.
  bool try_acquire() noexcept;
  // Returns a permit (to the first waiter, if any).
  void release() noexcept;
  // Permits free right now.
  std::size_t value() const noexcept { return value_; }
  bool locked() const noexcept { return value_ == 0; }

 private:
  internal::WaitList waiters_;
  std::size_t value_;
};

}  // namespace coio
