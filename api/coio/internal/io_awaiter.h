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
//
// Two additions serve sockets. An IoOwner (the socket the operation runs
// on) hears when the operation returns, so that closing the socket can
// abort() what is in flight and wait for it: an operation aborted that way
// fails with ECANCELED instead of CancelledError, because its task was not
// cancelled. And a transfer made with `whole` set goes on by itself after a
// short send until every byte is sent (or an error), without waking its task
// in between.
#pragma once

#include <cstdint>
#include <system_error>

#include "coio/backend.h"
#include "coio/internal/os_error.h"
#include "coio/internal/parked.h"

namespace coio::internal {

class IoAwaiter;

// Told when each of its operations returns from the backend, before the
// operation's task is queued.
class IoOwner {
 public:
  virtual void returned(IoAwaiter& op) noexcept = 0;

 protected:
  ~IoOwner() = default;
};

class IoAwaiter : Parked, public Operation {
 public:
  // `what` names the operation in errors, e.g. "read".
  explicit IoAwaiter(const char* what) noexcept : what_(what) {}
  // Movable until it is awaited, so that wait_for(), create_task() and
  // gather(), which take awaiters by value, accept stream.read_some(buffer).
  // Only the request moves: an awaited one lives where it was awaited.
  IoAwaiter(IoAwaiter&& other) noexcept
      : Parked(),
        Operation(static_cast<const Operation&>(other)),
        what_(other.what_),
        owner_(other.owner_),
        whole_(other.whole_),
        uninterruptible_op_(other.uninterruptible_op_) {}
  IoAwaiter(const IoAwaiter&) = delete;
  IoAwaiter& operator=(const IoAwaiter&) = delete;

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    if (uninterruptible_op_) {
      park_uninterruptible(h);
    } else if (!park(h)) {
      return false;
    }
    on_complete = &IoAwaiter::completed;
    in_flight_ = true;
    loop_->submit(*this);
    return true;
  }
  // Returns the operation's result (for a `whole` transfer: the bytes sent
  // in all); throws std::system_error on failure and CancelledError when it
  // was cancelled.
  std::int64_t await_resume() const {
    throw_if_cancelled();
    if (aborted_) throw std::system_error(std::make_error_code(std::errc::operation_canceled), what_);
    if (error != 0) throw std::system_error(os::error(error), what_);
    return whole_ ? done_ : result;
  }

  // Aborts the operation for its owner (the socket is closing); it fails
  // with std::errc::operation_canceled (ECANCELED). Does nothing when it is
  // not in flight.
  void abort() noexcept {
    if (!in_flight_ || aborting_ || cancelling_) return;
    aborting_ = true;
    loop_->cancel(*this);
  }

  // For operations that must not be aborted half-way (a close): a cancel()
  // of the task is kept for its next await instead.
  void make_uninterruptible() noexcept { uninterruptible_op_ = true; }

  bool in_flight() const noexcept { return in_flight_; }
  const char* what() const noexcept { return what_; }

 protected:
  void set_owner(IoOwner* owner) noexcept { owner_ = owner; }
  // Sends all of buffer[0, length) before resuming (kSend / kWrite only).
  void set_whole() noexcept { whole_ = true; }

 private:
  void cancel() noexcept override {
    if (!begin_cancel() || aborting_) return;  // an abort already asked the kernel
    loop_->cancel(*this);
  }

  static void completed(Operation& op) noexcept {
    auto& self = static_cast<IoAwaiter&>(op);
    if (self.whole_ && self.continue_whole()) return;
    self.in_flight_ = false;
    self.loop_->operation_returned();
    if (self.owner_) self.owner_->returned(self);
    if (op.error == Operation::kCancelled) {
      if (self.cancelling_) {
        self.wake_cancelled();
        return;
      }
      self.aborted_ = true;  // by the owner, not a cancelled task: ECANCELED
    }
    // Finished before the abort took: deliver the result, and let the
    // task's next await throw the cancel instead.
    if (self.cancelling_ && self.task_) self.task_->cancel_pending_ = true;
    self.wake();
  }

  // After a short transfer of a `whole` one: resubmits the rest and returns
  // true, unless it is done, failed, or being cancelled or aborted.
  bool continue_whole() noexcept {
    if (error != 0) return false;
    done_ += result;
    if (result <= 0 || static_cast<std::size_t>(result) >= length || cancelling_ || aborting_) return false;
    buffer = static_cast<std::byte*>(buffer) + result;
    length -= static_cast<std::size_t>(result);
    loop_->operation_returned();
    loop_->submit(*this);
    return true;
  }

  const char* what_;
  IoOwner* owner_ = nullptr;
  std::int64_t done_ = 0;
  bool in_flight_ = false;
  bool aborting_ = false;
  bool aborted_ = false;
  bool whole_ = false;
  bool uninterruptible_op_ = false;
};

}  // namespace coio::internal
