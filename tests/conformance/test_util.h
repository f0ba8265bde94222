// Shared helpers for the conformance suite: run a coroutine body on a fresh
// loop, and measure time on the loop's clock.
#pragma once

#include <chrono>
#include <utility>

#include "coio/coio.h"

namespace coio::testing {

using namespace std::chrono_literals;

// Runs the coroutine that `body()` returns with coio::run. `body` lives until
// run returns, so a lambda coroutine may capture by reference.
template <class F>
auto run_async(F body, RunOptions options = {}) {
  return coio::run(body(), std::move(options));
}

// Milliseconds elapsed since `start` on the loop clock.
inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A Task that sleeps then returns `value`.
template <class T>
Task<T> after(std::chrono::milliseconds delay, T value) {
  co_await sleep(delay);
  co_return value;
}

// A Task that sleeps then throws std::runtime_error(message).
inline Task<int> fail_after(std::chrono::milliseconds delay, const char* message) {
  co_await sleep(delay);
  throw std::runtime_error(message);
}

// Sleeps `d`; if cancelled, records it, cleans up with an await (after the
// handler, as C++ requires) and rethrows.
inline Task<void> sleep_and_record(std::chrono::milliseconds d, bool& cancelled, bool& cleaned_up) {
  bool was_cancelled = false;
  try {
    co_await sleep(d);
  } catch (const CancelledError&) {
    was_cancelled = true;
  }
  if (was_cancelled) {
    cancelled = true;
    co_await sleep(1ms);  // clean-up may await, after the handler
    cleaned_up = true;
    throw CancelledError();
  }
}

}  // namespace coio::testing
