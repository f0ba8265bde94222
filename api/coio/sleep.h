// coio/sleep.h: coio::sleep (asyncio.sleep).
//
// Suspends the calling task for at least `d`. sleep(0s) (or any duration
// that is not positive) yields to the loop once, letting other ready tasks
// run. Cancellation removes the timer and throws CancelledError at once.
//
//   co_await coio::sleep(250ms);
//   coio::Task<void> t = coio::sleep(1s);     // a Task where one is wanted
//   auto h = coio::create_task(coio::sleep(1s));
#pragma once

#include <chrono>

#include "absl/time/time.h"
#include "coio/backend.h"
#include "coio/internal/parked.h"
#include "coio/internal/timer_heap.h"
#include "coio/task.h"

namespace coio {
namespace internal {
Task<void> sleep_for(Clock::duration d);
}  // namespace internal

// What sleep() returns: an awaiter that is a timer in the awaiting frame,
// with no coroutine of its own. Where a Task is wanted (a
// std::vector<Task<void>>) it converts to Task<void>; create_task, gather,
// wait_for and TaskGroup::spawn take it as it is.
class [[nodiscard]] Sleep final : internal::Parked, internal::TimerNode {
 public:
  explicit Sleep(Clock::duration d) noexcept : delay_(d) {}
  Sleep(const Sleep& other) noexcept : delay_(other.delay_) {}

  operator Task<void>() const { return internal::sleep_for(delay_); }

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) noexcept {
    if (!park(h)) return false;
    if (delay_ <= Clock::duration::zero()) {
      wake();
      return true;
    }
    deadline = Clock::now() + delay_;
    fire = [](TimerNode& node) noexcept { static_cast<Sleep&>(node).wake(); };
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

template <class Rep, class Period>
Sleep sleep(std::chrono::duration<Rep, Period> d) {
  return Sleep(std::chrono::ceil<Clock::duration>(d));
}
inline Sleep sleep(absl::Duration d) { return Sleep(absl::ToChronoNanoseconds(d)); }

}  // namespace coio
