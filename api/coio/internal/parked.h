// coio/internal/parked.h: the one way a coio awaitable parks a task.
//
// park() registers the awaitable as the task's current Suspension, unless a
// cancel() arrived while the task was running, in which case the await
// throws CancelledError at once. wake() clears the registration before
// queueing the task, so a cancel() that comes after the wake-up is kept for
// the next await instead of being lost. The cancelled path is written here
// once, for every awaitable.
#pragma once

#include <coroutine>

#include "coio/errors.h"
#include "coio/internal/promise_base.h"
#include "coio/internal/suspension.h"
#include "coio/loop.h"

namespace coio::internal {

class Parked : public Suspension {
 protected:
  // Returns false when the await must not suspend because a pending cancel
  // is to be thrown now (await_resume will throw it).
  bool park(std::coroutine_handle<> handle) noexcept {
    loop_ = &Loop::current();
    task_ = loop_->current_task();
    if (task_ && task_->take_pending_cancel()) {
      cancelled_ = true;
      return false;
    }
    handle_ = handle;
    if (task_) task_->suspended_on_ = this;
    return true;
  }

  // Parks without being interruptible: a cancel() is kept for the next await.
  void park_uninterruptible(std::coroutine_handle<> handle) noexcept {
    loop_ = &Loop::current();
    task_ = loop_->current_task();
    handle_ = handle;
    uninterruptible_ = true;
    if (task_) task_->suspended_on_ = this;
  }

  void wake() noexcept {
    if (task_ && task_->suspended_on_ == this) task_->suspended_on_ = nullptr;
    loop_->schedule(handle_, task_);
  }

  void wake_cancelled() noexcept {
    cancelled_ = true;
    if (task_) task_->cancel_in_flight_ = true;
    wake();
  }

  // For cancel() overrides: true the first time, false on repeats and for
  // uninterruptible parks (whose cancel is kept pending instead).
  bool begin_cancel() noexcept {
    if (uninterruptible_) {
      if (task_) task_->cancel_pending_ = true;
      return false;
    }
    if (cancelling_) return false;
    cancelling_ = true;
    return true;
  }

  void throw_if_cancelled() const {
    if (!cancelled_) return;
    if (task_) task_->cancel_in_flight_ = false;
    throw CancelledError();
  }

  Loop* loop_ = nullptr;
  PromiseBase* task_ = nullptr;
  std::coroutine_handle<> handle_;
  bool cancelled_ = false;
  bool cancelling_ = false;
  bool uninterruptible_ = false;
};

}  // namespace coio::internal
