// tests/unit/backend_under_test.h: what the backend contract tests share.
//
// Each test source is built once per backend; three macros name the backend
// under test, e.g. for io_uring:
//   -DCOIO_BACKEND_HEADER=backends/io_uring/io_uring_backend.h
//   -DCOIO_BACKEND_FACTORY=make_io_uring_backend
//   -DCOIO_BACKEND_NAME=io_uring
#pragma once

#if !defined(COIO_BACKEND_HEADER) || !defined(COIO_BACKEND_FACTORY) || \
    !defined(COIO_BACKEND_NAME)
#error "define COIO_BACKEND_HEADER, COIO_BACKEND_FACTORY and COIO_BACKEND_NAME"
#endif

#define COIO_STRINGIFY_(x) #x
#define COIO_STRINGIFY(x) COIO_STRINGIFY_(x)
// The path is stringified token by token: none of its parts may be a macro
// (beware `linux` and `unix`).
#include COIO_STRINGIFY(COIO_BACKEND_HEADER)

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "coio/backend.h"
#include "gtest/gtest.h"

namespace coio::testing_support {

// Aborts the whole binary, naming the test, if it outlives `limit`: a run()
// that never returns would otherwise hang the suite instead of failing it.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::milliseconds limit)
      : test_(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        thread_([this, limit] {
          std::unique_lock lock(mutex_);
          if (!done_changed_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "watchdog: %s still running after %lld ms\n",
                         test_.c_str(), static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}

  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_changed_.notify_one();
    thread_.join();
  }

 private:
  std::string test_;
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;
};

// Runs `backend` until `done()` holds or `limit` passes; says which.
template <class Done>
bool run_until(Backend& backend, Done done, Clock::duration limit) {
  const Clock::time_point give_up = Clock::now() + limit;
  while (!done()) {
    const Clock::time_point now = Clock::now();
    if (now >= give_up) return false;
    backend.run(std::min(give_up, now + std::chrono::milliseconds(100)));
  }
  return true;
}

// Runs `backend` for about `period`, whatever completes.
inline void run_for(Backend& backend, Clock::duration period) {
  const Clock::time_point end = Clock::now() + period;
  while (Clock::now() < end) backend.run(end);
}

}  // namespace coio::testing_support
