// coio/gather.h: asyncio.gather.
//
// Runs awaitables (Tasks or TaskHandles) concurrently and returns their
// results in argument order; void results become std::monostate. Unlike
// asyncio, no child outlives the call: on the first exception (a cancelled
// child counts) the others are cancelled and awaited, then the exception is
// rethrown. Cancelling the gathering task cancels every child.
//
//   auto [a, b] = co_await coio::gather(fetch(1), fetch(2));
//   std::vector<int> all = co_await coio::gather(std::move(tasks));
//
// With return_exceptions, every child runs to its end and each result comes
// back as a Result<T> holding the value or the exception:
//
//   auto [a, b] = co_await coio::gather(coio::return_exceptions, f(), g());
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>
#include <vector>

#include "coio/internal/awaitable_traits.h"
#include "coio/internal/child_set.h"
#include "coio/result.h"
#include "coio/task.h"
#include "coio/task_handle.h"

namespace coio {

struct return_exceptions_t {
  explicit constexpr return_exceptions_t() = default;
};
inline constexpr return_exceptions_t return_exceptions{};

namespace internal {
// Waits for every child; on the first exception cancels the rest, waits for
// them, and rethrows it.
Task<void> gather_all_or_first_exception(ChildSet& set);
// Waits for every child, whatever they end with.
Task<void> gather_all(ChildSet& set);
}  // namespace internal

template <internal::Awaitable... Awaitables>
Task<std::tuple<internal::gathered_t<internal::awaitable_value_t<Awaitables>>...>> gather(Awaitables... aws) {
  // Braces: the tasks are created (and so start) in argument order.
  std::tuple<decltype(ensure_task(std::move(aws)))...> handles{ensure_task(std::move(aws))...};
  internal::ChildSet set;
  set.reserve(sizeof...(Awaitables));
  std::apply([&](auto&... h) { (set.add(*h.promise()), ...); }, handles);
  co_await internal::gather_all_or_first_exception(set);
  co_return std::apply(
      [](auto&... h) {
        return std::tuple{internal::take_gathered<internal::AwaitableTraits<Awaitables>::kOwned>(h)...};
      },
      handles);
}

template <internal::Awaitable... Awaitables>
Task<std::tuple<Result<internal::awaitable_value_t<Awaitables>>...>> gather(return_exceptions_t,
                                                                             Awaitables... aws) {
  // Braces: the tasks are created (and so start) in argument order.
  std::tuple<decltype(ensure_task(std::move(aws)))...> handles{ensure_task(std::move(aws))...};
  internal::ChildSet set;
  set.reserve(sizeof...(Awaitables));
  std::apply([&](auto&... h) { (set.add(*h.promise()), ...); }, handles);
  co_await internal::gather_all(set);
  co_return std::apply(
      [](auto&... h) {
        return std::tuple{internal::take_result_or_error<internal::AwaitableTraits<Awaitables>::kOwned>(h)...};
      },
      handles);
}

namespace internal {
template <bool kOwned, class T>
Task<std::vector<gathered_t<T>>> gather_handles(std::vector<TaskHandle<T>> handles) {
  ChildSet set;
  set.reserve(handles.size());
  for (auto& h : handles) set.add(*h.promise());
  co_await gather_all_or_first_exception(set);
  std::vector<gathered_t<T>> results;
  results.reserve(handles.size());
  for (auto& h : handles) results.push_back(take_gathered<kOwned>(h));
  co_return results;
}

template <bool kOwned, class T>
Task<std::vector<Result<T>>> gather_handles_results(std::vector<TaskHandle<T>> handles) {
  ChildSet set;
  set.reserve(handles.size());
  for (auto& h : handles) set.add(*h.promise());
  co_await gather_all(set);
  std::vector<Result<T>> results;
  results.reserve(handles.size());
  for (auto& h : handles) results.push_back(take_result_or_error<kOwned>(h));
  co_return results;
}

template <class T>
std::vector<TaskHandle<T>> create_tasks(std::vector<Task<T>>& tasks) {
  std::vector<TaskHandle<T>> handles;
  handles.reserve(tasks.size());
  for (auto& t : tasks) handles.push_back(create_task(std::move(t)));
  return handles;
}
}  // namespace internal

template <class T>
Task<std::vector<internal::gathered_t<T>>> gather(std::vector<Task<T>> tasks) {
  return internal::gather_handles<true>(internal::create_tasks(tasks));
}
template <class T>
Task<std::vector<internal::gathered_t<T>>> gather(std::vector<TaskHandle<T>> handles) {
  return internal::gather_handles<false>(std::move(handles));
}
template <class T>
Task<std::vector<Result<T>>> gather(return_exceptions_t, std::vector<Task<T>> tasks) {
  return internal::gather_handles_results<true>(internal::create_tasks(tasks));
}
template <class T>
Task<std::vector<Result<T>>> gather(return_exceptions_t, std::vector<TaskHandle<T>> handles) {
  return internal::gather_handles_results<false>(std::move(handles));
}

}  // namespace coio
