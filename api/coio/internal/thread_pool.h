// coio/internal/thread_pool.h: the loop's pool for blocking work
// (asyncio's default executor), used by to_thread().
//
// Threads start on first use, up to min(32, cores + 4) as in asyncio.
// Destruction waits for running jobs and drops queued ones.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"

namespace coio::internal {

class ThreadPool {
 public:
  ThreadPool();
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void post(absl::AnyInvocable<void()> job);

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::deque<absl::AnyInvocable<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  std::size_t max_threads_;
  bool stopping_ = false;
};

}  // namespace coio::internal
