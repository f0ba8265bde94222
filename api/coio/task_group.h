// coio/task_group.h: asyncio.TaskGroup, structured concurrency.
//
// Tasks spawned in a group are joined together. The first one to fail
// (CancelledError aside) cancels all the others at once; join() waits for
// every task and rethrows that first failure. Cancelling the task blocked in
// join() cancels every child and waits for them before CancelledError
// propagates. No child outlives a joined group.
//
//   coio::TaskGroup group;
//   auto a = group.spawn(fetch("a"));
//   auto b = group.spawn(fetch("b"));
//   co_await group.join();
//   use(a.result(), b.result());
//
// A group destroyed without join() (say, by an exception thrown past it)
// cancels the children still running; it cannot wait for them.
#pragma once

#include <string>
#include <utility>

#include "coio/errors.h"
#include "coio/internal/child_set.h"
#include "coio/task.h"
#include "coio/task_handle.h"

namespace coio {

class TaskGroup {
 public:
  TaskGroup() { children_.set_cancel_siblings_on_failure(true); }
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;
  ~TaskGroup() { children_.cancel_unfinished(); }

  // Starts `task` in the group. A task spawned after a sibling failed is
  // cancelled at once; spawning after join() returned is an error.
  template <class T>
  TaskHandle<T> spawn(Task<T> task, std::string name = {}) {
    if (joined_) throw InvalidStateError("TaskGroup::spawn after join() returned");
    TaskHandle<T> handle = create_task(std::move(task), std::move(name));
    children_.add(*handle.promise());
    if (children_.first_failure()) handle.cancel();
    return handle;
  }

  // Starts any awaiter (sleep(), Event::wait() ...) as a task in the group.
  template <class Awaiter>
    requires requires(Awaiter& a) { a.await_resume(); }
  auto spawn(Awaiter aw, std::string name = {}) {
    return spawn(internal::awaiter_task(std::move(aw)), std::move(name));
  }

  // Waits for every child; rethrows the first failure.
  Task<void> join();

  std::size_t size() const noexcept { return children_.size(); }

 private:
  internal::ChildSet children_;
  bool joined_ = false;
};

}  // namespace coio
