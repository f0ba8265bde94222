// coio/event.h: asyncio.Event.
//
// A flag tasks can wait on: wait() returns at once while the flag is set,
// otherwise parks the task until set(). set() wakes every waiter.
//
//   coio::Event ready;
//   ... co_await ready.wait();      // elsewhere: ready.set();
#pragma once

#include "coio/internal/wait_list.h"

namespace coio {

class Event {
 public:
  Event() = default;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  // Sets the flag and wakes every waiting task.
  void set() noexcept {
    set_ = true;
    waiters_.wake_all();
  }
  void clear() noexcept { set_ = false; }
  bool is_set() const noexcept { return set_; }

  // Waits until the flag is set. Cancelling the waiter removes it.
  internal::WaitList::Awaiter wait() noexcept { return waiters_.wait(set_); }

 private:
  internal::WaitList waiters_;
  bool set_ = false;
};

}  // namespace coio
