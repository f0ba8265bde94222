// coio/internal/awaitable_traits.h: what the combinators accept (a Task<T>
// or a TaskHandle<T>) and how they hand results back.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "coio/result.h"
#include "coio/task.h"
#include "coio/task_handle.h"

namespace coio::internal {

template <class A>
struct AwaitableTraits;
// Any awaiter object (Event::wait(), ...) is run as a Task of its own.
template <class A>
  requires requires(A& a) { a.await_resume(); }
struct AwaitableTraits<A> {
  using value_type = decltype(std::declval<A&>().await_resume());
  static constexpr bool kOwned = true;
};
template <class T>
struct AwaitableTraits<Task<T>> {
  using value_type = T;
  static constexpr bool kOwned = true;  // the combinator made the task: move results out
};
template <class T>
struct AwaitableTraits<TaskHandle<T>> {
  using value_type = T;
  static constexpr bool kOwned = false;  // others may await it too: copy results
};

// What gather, wait_for and shield accept: Task<T>, TaskHandle<T>, awaiters.
template <class A>
concept Awaitable = requires { typename AwaitableTraits<std::decay_t<A>>::value_type; };

template <class A>
using awaitable_value_t = typename AwaitableTraits<std::decay_t<A>>::value_type;

// gather's element type: void results become std::monostate.
template <class T>
using gathered_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <bool kOwned, class T>
gathered_t<T> take_gathered(const TaskHandle<T>& h) {
  if constexpr (std::is_void_v<T>) {
    h.take_result();
    return {};
  } else if constexpr (kOwned) {
    return h.take_result();
  } else {
    return h.result();
  }
}

// The result as the awaitable itself would give it (void stays void).
template <bool kOwned, class T>
T take_gathered_or_void(const TaskHandle<T>& h) {
  if constexpr (std::is_void_v<T>) {
    h.take_result();
  } else {
    return take_gathered<kOwned>(h);
  }
}

template <bool kOwned, class T>
Result<T> take_result_or_error(const TaskHandle<T>& h) {
  h.promise()->outcome_observed_ = true;
  if (h.promise()->exception_) return Result<T>(h.promise()->exception_);
  if constexpr (std::is_void_v<T>) {
    return Result<void>();
  } else if constexpr (kOwned) {
    return Result<T>(h.take_result());
  } else {
    return Result<T>(h.result());
  }
}

}  // namespace coio::internal
