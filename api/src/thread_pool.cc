#include "coio/internal/thread_pool.h"

#include <algorithm>
#include <utility>

namespace coio::internal {

ThreadPool::ThreadPool()
    : max_threads_(std::min<std::size_t>(32, std::max(1u, std::thread::hardware_concurrency()) + 4)) {}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  wakeup_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::post(absl::AnyInvocable<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
    // Idle threads may already be claimed by queued jobs that they have not
    // picked up yet, so compare against the whole queue.
    if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
      threads_.emplace_back([this] { work(); });
      return;
    }
  }
  wakeup_.notify_one();
}

void ThreadPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    wakeup_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (stopping_) return;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // destroy captured state outside the lock too
    lock.lock();
  }
}

}  // namespace coio::internal
