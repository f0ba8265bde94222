// tests/support/watchdog.h: turns a hang into a failure. A Watchdog aborts
// the test binary, naming the test, when it is still alive after `limit`;
// run_bounded() runs a coroutine body on a fresh loop under one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "coio/coio.h"
#include "gtest/gtest.h"

namespace coio::testing {

class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit) : test_(current_test_name()), thread_([this, limit] {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, limit, [this] { return done_; })) {
      std::fprintf(stderr, "watchdog: %s still running after %lld s\n", test_.c_str(), static_cast<long long>(limit.count()));
      std::abort();
    }
  }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    changed_.notify_one();
    thread_.join();
  }

 private:
  static std::string current_test_name() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return info == nullptr ? "(no test)" : std::string(info->test_suite_name()) + "." + info->name();
  }

  std::string test_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;
  std::thread thread_;
};

// coio::run(body()) under a Watchdog; `body` lives until run returns, so a
// lambda coroutine may capture by reference.
template <class F>
auto run_bounded(F body, std::chrono::seconds limit = std::chrono::seconds(30)) {
  Watchdog watchdog(limit);
  return coio::run(body());
}

}  // namespace coio::testing
