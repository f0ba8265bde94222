// coio/run.h: coio::run, the program's entry into the loop (asyncio.run).
//
// Makes a new loop, runs `main` to completion, cancels the tasks it left
// behind and waits for them, then returns main's result or rethrows its
// exception.
//
//   coio::Task<int> amain() { co_await coio::sleep(1s); co_return 0; }
//   int main() { return coio::run(amain()); }
//   // or with debug checks: coio::run(amain(), {.debug = true});
#pragma once

#include <type_traits>
#include <utility>

#include "coio/loop.h"
#include "coio/task.h"
#include "coio/task_handle.h"

namespace coio {

using RunOptions = LoopOptions;

template <class T>
T run(Task<T> main, RunOptions options = {}) {
  Loop loop(std::move(options));
  TaskHandle<T> handle = create_task(std::move(main), "main");
  loop.run_until_done(*handle.promise());
  loop.cancel_all_and_drain();
  return handle.take_result();
}

// Runs the Task that `make_main()` returns: coio::run(amain).
template <class F>
  requires std::is_invocable_v<F&>
auto run(F make_main, RunOptions options = {}) {
  return run(make_main(), std::move(options));
}

}  // namespace coio
