#include <exception>

#include "coio/condition.h"
#include "coio/errors.h"
#include "coio/lock.h"
#include "coio/semaphore.h"

namespace coio {

Task<Lock::Guard> Lock::lock() {
  if (!try_lock()) co_await waiters_.wait();  // unlock() hands the lock over
  co_return Guard(this);
}

Task<void> Lock::lock_uninterruptible() {
  if (!try_lock()) co_await waiters_.wait_uninterruptible();
}

bool Lock::try_lock() noexcept {
  if (locked_) return false;
  locked_ = true;
  return true;
}

void Lock::unlock() {
  if (!locked_) throw InvalidStateError("Lock::unlock: the lock is not held");
  if (!waiters_.wake_one()) locked_ = false;
}

Task<Semaphore::Guard> Semaphore::acquire() {
  if (!try_acquire()) co_await waiters_.wait();  // release() hands a permit over
  co_return Guard(this);
}

bool Semaphore::try_acquire() noexcept {
  if (value_ == 0) return false;
  --value_;
  return true;
}

void Semaphore::release() noexcept {
  if (!waiters_.wake_one()) ++value_;
}

Task<void> Condition::wait(Lock& lock) {
  if (!lock.locked()) throw InvalidStateError("Condition::wait: the lock is not held");
  lock.unlock();
  bool cancelled = false;
  try {
    co_await waiters_.wait();
  } catch (const CancelledError&) {
    cancelled = true;
  }
  co_await lock.lock_uninterruptible();
  if (cancelled) throw CancelledError();
}

}  // namespace coio
