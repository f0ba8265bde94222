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

#include "coio/internal/wait_list.h"
#include "coio/task.h"
#include "coio/task_handle.h"

namespace coio {
template <class T>
Task<T> shield(TaskHandle<T> inner) {
  // Waits on the inner task's own list of waiters: a cancel takes only this
  // await off the list, never the inner task.
  co_await internal::WaitList::Awaiter(inner.promise()->waiters_, inner.done(), false);
  co_return inner.result();
}

// Starts `inner` as a task at once and shields it.
template <class T>
Task<T> shield(Task<T> inner) {
  return shield(create_task(std::move(inner)));
}

}  // namespace coio
