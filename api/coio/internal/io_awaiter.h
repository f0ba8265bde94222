// coio/internal/io_awaiter.h: the one awaitable that hands an Operation to
// the backend.
//
// The kernel owns the operation and its buffer from submit() until the
// completion arrives, so this awaiter never resumes its task before then:
//
//   submitted --complete--> resumed with the result
//       |
//     cancel(): ask the backend to abort, keep waiting
//       |
//   cancelling --complete(kCancelled)--> resumed, throws CancelledError
//             --complete(result)-------> resumed with the result; the cancel
//                                        is kept for the task's next await
//
// After CancelledError, the buffer is the caller's again.
#pragma once

#include <cstdint>
#include <system_error>

#include "coio/backend.h"
#include "coio/internal/parked.h"

namespace coio::internal {

class IoAwaiter final : Parked, public Operation {
 public:
  // `what` names the operation in errors, e.g. "read".
  explicit IoAwaiter(const char* what) noexcept : what_(what) {}
  IoAwaiter(const IoAwaiter&) = delete;
  IoAwaiter& operator=(const IoAwaiter&) = delete;

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (!park(h)) return false;
    on_complete = &IoAwaiter::completed;
    loop_->submit(*this);
    return true;
  }
  // Returns the operation's result; throws std::system_error on failure and
  // CancelledError when it was aborted.
  std::int64_t await_resume() const {
    throw_if_cancelled();
    if (error != 0) throw std::system_error(error, std::system_category(), what_);
    return result;
  }

 private:
  void cancel() noexcept override {
    if (begin_cancel()) loop_->cancel(*this);
  }

  static void completed(Operation& op) noexcept {
    auto& self = static_cast<IoAwaiter&>(op);
    self.loop_->operation_returned();
    if (op.error == Operation::kCancelled) {
      self.wake_cancelled();
      return;
    }
    // Finished before the abort took: deliver the result, and let the
    // task's next await throw the cancel instead.
    if (self.cancelling_ && self.task_) self.task_->cancel_pending_ = true;
    self.wake();
  }

  const char* what_;
};

}  // namespace coio::internal
