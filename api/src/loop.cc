#include "coio/loop.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <utility>

#include "coio/errors.h"
#include "coio/internal/thread_pool.h"

namespace coio {
namespace {

thread_local Loop* t_current_loop = nullptr;

bool debug_from_environment() {
  const char* v = std::getenv("COIO_DEBUG");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

bool is_cancelled_error(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError&) {
    return true;
  } catch (...) {
    return false;
  }
}

std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "non-standard exception";
  }
}

}  // namespace

// ---------------------------------------------------------------- tasks

namespace internal {

bool PromiseBase::cancel() noexcept {
  if (state_ == State::kNotRoot || state_ == State::kDone) return false;
  if (suspended_on_ != nullptr) {
    suspended_on_->cancel();
  } else if (!cancel_in_flight_) {
    // Running or queued to run: the next await throws. (When a cancel is
    // already on its way, this request is the same one, as in asyncio.)
    cancel_pending_ = true;
  }
  return true;
}

void PromiseBase::release() noexcept {
  if (--refs_ != 0 || state_ != State::kDone) return;
  if (debug_ && exception_ && !cancelled_ && !outcome_observed_) {
    std::fprintf(stderr, "coio: Task exception was never retrieved: task '%s' failed: %s\n", name().c_str(),
                 describe(exception_).c_str());
  }
  frame_.destroy();
}

std::string PromiseBase::name() const {
  if (extras_ && !extras_->name.empty()) return extras_->name;
  return "Task-" + std::to_string(id_);
}

void PromiseBase::set_name(std::string name) {
  if (!extras_) extras_ = std::make_unique<TaskExtras>();
  extras_->name = std::move(name);
}

void PromiseBase::add_done_callback(absl::AnyInvocable<void()> fn) {
  if (done()) {
    loop_->call_soon(std::move(fn));
    return;
  }
  if (!extras_) extras_ = std::make_unique<TaskExtras>();
  extras_->done_callbacks.push_back(std::move(fn));
}

void finish_root(PromiseBase& root) noexcept { root.loop_->finish_root(root); }

void release(Callback* cb) noexcept {
  if (--cb->refs == 0) delete cb;
}

}  // namespace internal

void Loop::start_root(internal::PromiseBase& root, std::coroutine_handle<> frame) noexcept {
  root.state_ = internal::PromiseBase::State::kScheduled;
  root.loop_ = this;
  root.frame_ = frame;
  root.refs_ = 1;  // the loop's, until the task ends
  root.id_ = next_task_id_++;
  root.debug_ = options_.debug;
  root.live_next_ = live_tasks_;
  if (live_tasks_) live_tasks_->live_prev_ = &root;
  live_tasks_ = &root;
  schedule(frame, &root);
}

void Loop::finish_root(internal::PromiseBase& root) noexcept {
  root.state_ = internal::PromiseBase::State::kDone;
  root.suspended_on_ = nullptr;
  if (root.exception_) {
    root.cancelled_ = is_cancelled_error(root.exception_);
  } else if (root.cancel_pending_) {
    // As in asyncio: a cancel() that arrived during the last step still
    // ends the task as cancelled.
    root.exception_ = std::make_exception_ptr(CancelledError());
    root.cancelled_ = true;
  }
  root.cancel_pending_ = false;
  root.cancel_in_flight_ = false;

  if (root.live_prev_) root.live_prev_->live_next_ = root.live_next_;
  if (root.live_next_) root.live_next_->live_prev_ = root.live_prev_;
  if (live_tasks_ == &root) live_tasks_ = root.live_next_;
  root.live_prev_ = root.live_next_ = nullptr;

  // A finished task gains no new waiters, so they can be woken straight
  // off its list.
  while (internal::Waiter* w = root.waiters_.pop_front()) w->notify(*w);
  if (root.extras_) {
    for (auto& fn : root.extras_->done_callbacks) call_soon(std::move(fn));
    root.extras_->done_callbacks.clear();
  }
  root.release();
}

// ---------------------------------------------------------------- the loop

Loop::Loop(LoopOptions options) : options_(std::move(options)) {
  if (t_current_loop != nullptr) {
    throw InvalidStateError("coio::run cannot be called from a running loop");
  }
  if (debug_from_environment()) options_.debug = true;
  backend_ = options_.backend ? std::move(options_.backend) : make_backend();
  t_current_loop = this;
}

Loop::~Loop() {
  // Workers may still be finishing abandoned jobs that call
  // call_soon_threadsafe: stop them before anything they touch goes away.
  thread_pool_.reset();
  {
    std::lock_guard lock(remote_mutex_);
    closed_ = true;
    remote_.clear();
  }
  while (!ready_.empty()) {
    internal::ReadyItem item = ready_.pop();
    if (item.callback) internal::release(item.callback);
  }
  while (!timers_.empty()) {
    internal::TimerNode& node = timers_.pop();
    // Only callbacks can still hold timers once every task has ended.
    internal::release(static_cast<internal::Callback*>(&node));
  }
  if (t_current_loop == this) t_current_loop = nullptr;
}

Loop& Loop::current() {
  if (t_current_loop == nullptr) {
    throw InvalidStateError("no running coio loop: call this from code run by coio::run");
  }
  return *t_current_loop;
}

Loop* Loop::current_or_null() noexcept { return t_current_loop; }

double Loop::time() const noexcept {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

CallbackHandle Loop::call_soon(absl::AnyInvocable<void()> fn) {
  auto* cb = new internal::Callback;
  cb->fn = std::move(fn);
  cb->loop = this;
  schedule_callback(cb);
  return CallbackHandle(cb);
}

CallbackHandle Loop::call_at(Clock::time_point when, absl::AnyInvocable<void()> fn) {
  auto* cb = new internal::Callback;
  cb->fn = std::move(fn);
  cb->loop = this;
  cb->deadline = when;
  cb->fire = [](internal::TimerNode& node) noexcept {
    auto* cb = static_cast<internal::Callback*>(&node);
    cb->loop->schedule_callback(cb);
  };
  add_timer(*cb);
  return CallbackHandle(cb);
}

void Loop::call_soon_threadsafe(absl::AnyInvocable<void()> fn) {
  std::lock_guard lock(remote_mutex_);
  if (closed_) return;
  remote_.push_back(std::move(fn));
  remote_pending_.store(true, std::memory_order_release);
  // Under the lock, so the backend cannot be destroyed in between.
  backend_->wake();
}

void Loop::run_until_done(internal::PromiseBase& task) {
  while (!task.done()) run_once();
}

void Loop::cancel_all_and_drain() {
  for (internal::PromiseBase* t = live_tasks_; t != nullptr; t = t->live_next_) t->cancel();
  while (live_tasks_ != nullptr || ops_in_flight_ > 0 || !ready_.empty()) run_once();
}

internal::ThreadPool& Loop::thread_pool() {
  if (!thread_pool_) thread_pool_ = std::make_unique<internal::ThreadPool>();
  return *thread_pool_;
}

void Loop::run_once() {
  Clock::time_point deadline = Clock::time_point::max();
  if (!ready_.empty() || remote_pending_.load(std::memory_order_acquire)) {
    deadline = Clock::time_point::min();
  } else if (!timers_.empty()) {
    deadline = timers_.top().deadline;
  }
  backend_->run(deadline);
  if (remote_pending_.load(std::memory_order_acquire)) take_remote_callbacks();
  fire_due_timers();
  // Only what is ready now runs this turn; what it schedules waits for the
  // next one, after the backend has been polled again.
  for (std::size_t n = ready_.size(); n > 0; --n) run_ready_item(ready_.pop());
}

void Loop::fire_due_timers() {
  if (timers_.empty()) return;
  const Clock::time_point now = Clock::now();
  while (!timers_.empty() && timers_.top().deadline <= now) {
    internal::TimerNode& timer = timers_.pop();
    timer.fire(timer);
  }
}

void Loop::take_remote_callbacks() {
  std::vector<absl::AnyInvocable<void()>> batch;
  {
    std::lock_guard lock(remote_mutex_);
    batch.swap(remote_);
    remote_pending_.store(false, std::memory_order_relaxed);
  }
  for (auto& fn : batch) {
    auto* cb = new internal::Callback;
    cb->fn = std::move(fn);
    cb->loop = this;
    schedule_callback(cb);
  }
}

void Loop::run_ready_item(const internal::ReadyItem& item) {
  const Clock::time_point started = options_.debug ? Clock::now() : Clock::time_point();
  if (item.callback) {
    run_callback(item.callback);
  } else if (item.task && item.task->state_ == internal::PromiseBase::State::kScheduled) {
    start_step(*item.task, item.handle);
  } else {
    current_task_ = item.task;
    item.handle.resume();
    current_task_ = nullptr;
  }
  if (options_.debug) {
    Clock::duration took = Clock::now() - started;
    if (took > options_.slow_callback) report_slow(item, took);
  }
}

void Loop::start_step(internal::PromiseBase& task, std::coroutine_handle<> handle) {
  if (task.take_pending_cancel()) {
    // Cancelled before it ever ran: like asyncio, the body never starts.
    task.exception_ = std::make_exception_ptr(CancelledError());
    finish_root(task);
    return;
  }
  task.state_ = internal::PromiseBase::State::kRunning;
  current_task_ = &task;
  handle.resume();
  current_task_ = nullptr;
}

void Loop::run_callback(internal::Callback* cb) {
  if (!cb->cancelled) {
    cb->done = true;
    try {
      cb->fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "coio: exception in callback: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "coio: non-standard exception in callback\n");
    }
    cb->fn = nullptr;
  }
  internal::release(cb);
}

void Loop::report_slow(const internal::ReadyItem& item, Clock::duration took) {
  const double ms = std::chrono::duration<double, std::milli>(took).count();
  if (item.callback) {
    std::fprintf(stderr, "coio: a callback blocked the loop for %.0f ms\n", ms);
  } else if (item.task) {
    std::fprintf(stderr, "coio: task '%s' blocked the loop for %.0f ms\n", item.task->name().c_str(), ms);
  } else {
    std::fprintf(stderr, "coio: a step blocked the loop for %.0f ms\n", ms);
  }
}

// ---------------------------------------------------------------- handles

CallbackHandle::CallbackHandle(internal::Callback* cb) noexcept : cb_(cb) {
  if (cb_) ++cb_->refs;
}
CallbackHandle::CallbackHandle(const CallbackHandle& other) noexcept : CallbackHandle(other.cb_) {}
CallbackHandle& CallbackHandle::operator=(CallbackHandle other) noexcept {
  std::swap(cb_, other.cb_);
  return *this;
}
CallbackHandle::~CallbackHandle() {
  if (cb_) internal::release(cb_);
}

bool CallbackHandle::cancel() noexcept {
  if (!cb_ || cb_->done || cb_->cancelled) return false;
  cb_->cancelled = true;
  if (cb_->queued()) {
    // Still waiting for its time: leave the heap, dropping the loop's reference.
    cb_->loop->remove_timer(*cb_);
    internal::release(cb_);
  }
  return true;
}

}  // namespace coio
