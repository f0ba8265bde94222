// coio/wait.h: asyncio.wait, asyncio.wait_for and asyncio.as_completed.
//
// wait() waits for a set of running tasks until the ReturnWhen condition
// holds or the timeout passes, and splits them into done and pending. The
// tasks are independent: none is cancelled, not on timeout and not when the
// waiting task is cancelled.
//
//   auto [done, pending] = co_await coio::wait(handles, coio::ReturnWhen::kFirstCompleted);
//
// wait_for() awaits one Task or TaskHandle with a deadline. When it passes,
// the inner task is cancelled and awaited first, then TimeoutError is thrown
// (if the inner task ignored the cancel and finished, its result is
// returned). A zero or negative timeout cancels at once.
//
//   std::string page = co_await coio::wait_for(fetch(url), 2s);
//
// as_completed() yields the handles in the order their tasks end.
//
//   auto gen = coio::as_completed(handles);
//   while (auto h = co_await gen.next()) use(co_await *h);
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "coio/generator.h"
#include "coio/internal/awaitable_traits.h"
#include "coio/internal/child_set.h"
#include "coio/task.h"
#include "coio/task_handle.h"

namespace coio {

enum class ReturnWhen { kFirstCompleted, kFirstException, kAllCompleted };

template <class T>
struct WaitResult {
  std::vector<TaskHandle<T>> done;
  std::vector<TaskHandle<T>> pending;
};

namespace internal {
Task<void> wait_children(ChildSet& set, ReturnWhen when, std::optional<Clock::duration> timeout);
// Waits for the set's one child until `deadline`; on the deadline cancels
// it, waits for it, and throws TimeoutError if it ended cancelled.
Task<void> wait_for_child(ChildSet& set, Clock::time_point deadline);
}  // namespace internal

// Waits for `tasks` (none is cancelled) and returns {done, pending}.
// Throws std::invalid_argument for an empty list, as asyncio does.
template <class T>
Task<WaitResult<T>> wait(std::vector<TaskHandle<T>> tasks, ReturnWhen when = ReturnWhen::kAllCompleted,
                         std::optional<Clock::duration> timeout = std::nullopt) {
  if (tasks.empty()) throw std::invalid_argument("coio::wait: the set of tasks is empty");
  internal::ChildSet set;
  set.reserve(tasks.size());
  for (auto& h : tasks) set.add(*h.promise());
  co_await internal::wait_children(set, when, timeout);
  WaitResult<T> result;
  for (auto& h : tasks) (h.done() ? result.done : result.pending).push_back(std::move(h));
  co_return result;
}

template <internal::Awaitable Awaitable, class Rep, class Period>
Task<internal::awaitable_value_t<Awaitable>> wait_for(Awaitable aw, std::chrono::duration<Rep, Period> timeout) {
  const Clock::time_point deadline = Clock::now() + std::chrono::ceil<Clock::duration>(timeout);
  auto handle = ensure_task(std::move(aw));
  {
    internal::ChildSet set;
    set.add(*handle.promise());
    co_await internal::wait_for_child(set, deadline);
  }
  co_return internal::take_gathered_or_void<internal::AwaitableTraits<Awaitable>::kOwned>(handle);
}

template <internal::Awaitable Awaitable>
Task<internal::awaitable_value_t<Awaitable>> wait_for(Awaitable aw, absl::Duration timeout) {
  return wait_for(std::move(aw), absl::ToChronoNanoseconds(timeout));
}

// Yields each handle as its task ends, in the order they end.
template <class T>
AsyncGenerator<TaskHandle<T>> as_completed(std::vector<TaskHandle<T>> tasks) {
  internal::ChildSet set;
  set.reserve(tasks.size());
  for (auto& h : tasks) set.add(*h.promise());
  std::size_t yielded = 0;
  while (yielded < tasks.size()) {
    co_await set.wait({yielded + 1, internal::ChildSet::Failure::kNone}, std::nullopt,
                      internal::ChildSet::OnCancel::kStopWaiting);
    while (yielded < set.ended()) co_yield tasks[set.end_order()[yielded++]];
  }
}

}  // namespace coio
