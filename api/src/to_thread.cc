#include "coio/to_thread.h"

#include "coio/internal/thread_pool.h"

namespace coio::internal {

bool ThreadCallAwaiter::await_suspend(std::coroutine_handle<> h) {
  if (!park(h)) return false;
  job_->awaiter = this;
  Loop* loop = loop_;
  loop->thread_pool().post([job = job_, loop]() mutable {
    job->run();
    // The loop outlives its pool (it joins the pool first), so `loop` is valid.
    loop->call_soon_threadsafe([job = std::move(job)] {
      if (job->awaiter) job->awaiter->wake();
    });
  });
  return true;
}

void ThreadCallAwaiter::cancel() noexcept {
  if (!begin_cancel()) return;
  job_->awaiter = nullptr;
  wake_cancelled();
}

}  // namespace coio::internal
