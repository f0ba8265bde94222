// coio/shield.h: asyncio.shield.
//
// Awaits a task without passing cancellation on to it: when the awaiting
// task is cancelled, the await throws CancelledError at once and the
// shielded task keeps running (its handle still gives its result later).
//
//   auto save = coio::create_task(save_to_disk(doc));
//   co_await coio::shield(save);   // a cancel here does not stop the save
#pragma once

#include <utility>

#include "coio/internal/parked.h"
#include "coio/task.h"
#include "coio/task_handle.h"

namespace coio {
namespace internal {

class ShieldAwaiter final : Parked, Waiter {
 public:
  explicit ShieldAwaiter(PromiseBase& inner) noexcept : inner_(inner) {}
  bool await_ready() const noexcept { return inner_.done(); }
  bool await_suspend(std::coroutine_handle<> h) noexcept {
    if (!park(h)) return false;
    notify = [](Waiter& w) noexcept { static_cast<ShieldAwaiter&>(w).wake(); };
    inner_.waiters_.push_back(*this);
    return true;
  }
  void await_resume() const { throw_if_cancelled(); }

 private:
  void cancel() noexcept override {
    if (!begin_cancel()) return;
    WaiterList::remove(*this);
    wake_cancelled();
  }
  PromiseBase& inner_;
};

}  // namespace internal

template <class T>
Task<T> shield(TaskHandle<T> inner) {
  co_await internal::ShieldAwaiter(*inner.promise());
  co_return inner.result();
}

// Starts `inner` as a task at once and shields it.
template <class T>
Task<T> shield(Task<T> inner) {
  return shield(create_task(std::move(inner)));
}

}  // namespace coio
