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

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

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

}  // namespace coio::testing_support
