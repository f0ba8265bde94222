// coio/task_handle.h: create_task() and TaskHandle<T> (asyncio.Task).
//
// create_task() schedules a Task on the current loop; it starts on a later
// turn and runs concurrently with its creator. The TaskHandle it returns is a
// cheap, copyable reference: await it (any number of times) for the result,
// cancel() it, ask done(). The task keeps running when every handle is gone.
//
//   auto h = coio::create_task(fetch("a"), "fetch-a");
//   do_other_stuff();
//   std::string page = co_await h;
//
// Awaiting a handle from a task that gets cancelled cancels the awaited task
// too, as in asyncio; use shield() to prevent that.
#pragma once

#include <coroutine>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "coio/errors.h"
#include "coio/internal/parked.h"
#include "coio/internal/promise_base.h"
#include "coio/loop.h"
#include "coio/task.h"

namespace coio {

template <class T = void>
class TaskHandle {
 public:
  using value_type = T;
  using Promise = internal::TaskPromise<T>;

  TaskHandle() noexcept = default;
  explicit TaskHandle(Promise* p) noexcept : p_(p) {
    if (p_) p_->add_ref();
  }
  TaskHandle(const TaskHandle& other) noexcept : TaskHandle(other.p_) {}
  TaskHandle(TaskHandle&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  TaskHandle& operator=(TaskHandle other) noexcept {
    std::swap(p_, other.p_);
    return *this;
  }
  ~TaskHandle() {
    if (p_) p_->release();
  }

  bool valid() const noexcept { return p_ != nullptr; }

  // Requests cancellation: the task's current await throws CancelledError.
  // Returns false when the task has already ended.
  bool cancel() const noexcept { return p_->cancel(); }
  bool done() const noexcept { return p_->done(); }
  // True when the task ended by CancelledError.
  bool cancelled() const noexcept { return p_->done() && p_->cancelled(); }
  std::string name() const { return p_->name(); }
  void set_name(std::string name) const { p_->set_name(std::move(name)); }

  // Calls fn(handle) on the loop once the task ends (soon, if it has).
  template <class F>
  void add_done_callback(F fn) const {
    p_->add_done_callback([fn = std::move(fn), self = *this]() mutable {
      if constexpr (std::is_invocable_v<F&, const TaskHandle&>) {
        fn(self);
      } else {
        fn();
      }
    });
  }

  // Returns the result of an ended task, or rethrows its exception
  // (asyncio.Task.result()). Throws InvalidStateError while it runs.
  T result() const {
    check_done();
    p_->outcome_observed_ = true;
    return p_->result();
  }
  // Returns the exception the task ended with, or null.
  std::exception_ptr exception() const {
    check_done();
    p_->outcome_observed_ = true;
    return p_->exception_;
  }

  auto operator co_await() const noexcept { return Awaiter{p_}; }

  friend bool operator==(const TaskHandle& a, const TaskHandle& b) noexcept { return a.p_ == b.p_; }

  // For coio's combinators.
  Promise* promise() const noexcept { return p_; }
  T take_result() const {
    p_->outcome_observed_ = true;
    return p_->take_result();
  }

 private:
  void check_done() const {
    if (!p_->done()) throw InvalidStateError("the task has not ended yet");
  }

  class Awaiter : internal::Parked, internal::Waiter {
   public:
    explicit Awaiter(Promise* p) noexcept : p_(p) {}
    bool await_ready() const noexcept { return p_->done(); }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
      if (!park(h)) return false;
      notify = [](internal::Waiter& w) noexcept { static_cast<Awaiter&>(w).wake(); };
      p_->waiters_.push_back(*this);
      return true;
    }
    T await_resume() {
      throw_if_cancelled();
      p_->outcome_observed_ = true;
      return p_->result();
    }

   private:
    // asyncio: cancelling the awaiter cancels the awaited task, whose end
    // then wakes us with its outcome.
    void cancel() noexcept override {
      if (begin_cancel()) p_->cancel();
    }
    Promise* p_;
  };

  Promise* p_ = nullptr;
};

// Schedules `task` on the current loop and returns its handle. Unnamed
// tasks are called "Task-<n>", as in asyncio.
template <class T>
TaskHandle<T> create_task(Task<T> task) {
  auto h = task.release();
  if (!h) throw InvalidStateError("create_task of an empty coio::Task");
  Loop::current().start_root(h.promise(), h);
  return TaskHandle<T>(&h.promise());
}
template <class T>
TaskHandle<T> create_task(Task<T> task, std::string name) {
  TaskHandle<T> handle = create_task(std::move(task));
  if (!name.empty()) handle.set_name(std::move(name));
  return handle;
}

// Lets combinators accept Tasks, TaskHandles and plain awaiters alike
// (asyncio.ensure_future): a handle stays as it is, anything else becomes a
// task on the current loop.
template <class T>
TaskHandle<T> ensure_task(TaskHandle<T> handle) {
  return handle;
}
template <class T>
TaskHandle<T> ensure_task(Task<T> task) {
  return create_task(std::move(task));
}
namespace internal {
template <class Awaiter>
auto awaiter_task(Awaiter aw) -> Task<decltype(aw.await_resume())> {
  co_return co_await std::move(aw);
}
}  // namespace internal
template <class Awaiter>
  requires requires(Awaiter& a) { a.await_resume(); }
auto ensure_task(Awaiter aw) {
  return create_task(internal::awaiter_task(std::move(aw)));
}

// Schedules any awaiter (sleep(), Event::wait() ...) as a task of its own.
template <class Awaiter>
  requires requires(Awaiter& a) { a.await_resume(); }
auto create_task(Awaiter aw, std::string name = {}) {
  return create_task(internal::awaiter_task(std::move(aw)), std::move(name));
}

}  // namespace coio
