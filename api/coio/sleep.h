// coio/sleep.h: coio::sleep (asyncio.sleep).
//
// Suspends the calling task for at least `d`. sleep(0s) (or any duration
// that is not positive) yields to the loop once, letting other ready tasks
// run. Cancellation removes the timer and throws CancelledError at once.
//
//   co_await coio::sleep(250ms);
#pragma once

#include <chrono>

#include "absl/time/time.h"
#include "coio/backend.h"
#include "coio/internal/parked.h"
#include "coio/internal/timer_heap.h"
#include "coio/task.h"

namespace coio {
namespace internal {

// The awaitable under sleep(): a timer in the awaiting frame.
class SleepAwaiter final : Parked, TimerNode {
 public:
  explicit SleepAwaiter(Clock::duration d) noexcept : delay_(d) {}

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) noexcept {
    if (!park(h)) return false;
    if (delay_ <= Clock::duration::zero()) {
      wake();
      return true;
    }
    deadline = Clock::now() + delay_;
    fire = [](TimerNode& node) noexcept { static_cast<SleepAwaiter&>(node).wake(); };
    loop_->add_timer(*this);
    return true;
  }
  void await_resume() const { throw_if_cancelled(); }

 private:
  void cancel() noexcept override {
    if (!begin_cancel()) return;
    loop_->remove_timer(*this);
    wake_cancelled();
  }

  Clock::duration delay_;
};

Task<void> sleep_for(Clock::duration d);

}  // namespace internal

template <class Rep, class Period>
Task<void> sleep(std::chrono::duration<Rep, Period> d) {
  return internal::sleep_for(std::chrono::ceil<Clock::duration>(d));
}
inline Task<void> sleep(absl::Duration d) { return internal::sleep_for(absl::ToChronoNanoseconds(d)); }

}  // namespace coio
