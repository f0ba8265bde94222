#include "coio/internal/child_set.h"

namespace coio::internal {

ChildSet::~ChildSet() {
  for (Child& c : children_) {
    WaiterList::remove(c);
    c.task->release();
  }
}

std::size_t ChildSet::add(PromiseBase& child) {
  Child& c = children_.emplace_back();
  c.task = &child;
  c.set = this;
  c.index = children_.size() - 1;
  child.add_ref();
  if (child.done()) {
    on_child_end(c);
  } else {
    c.notify = [](Waiter& w) noexcept {
      Child& c = static_cast<Child&>(w);
      c.set->on_child_end(c);
    };
    child.waiters_.push_back(c);
  }
  return c.index;
}

void ChildSet::cancel_unfinished() noexcept {
  for (Child& c : children_) {
    if (!c.task->done()) c.task->cancel();
  }
}

bool ChildSet::holds(const Until& until) const noexcept {
  const std::size_t needed = until.ended == kAll ? children_.size() : until.ended;
  if (order_.size() >= needed) return true;
  switch (until.failure) {
    case Failure::kNone:
      return false;
    case Failure::kExceptionNotCancel:
      return first_failure_ != nullptr;
    case Failure::kAnyException:
      return first_exception_ != nullptr;
  }
  return false;
}

void ChildSet::on_child_end(Child& child) noexcept {
  order_.push_back(child.index);
  PromiseBase& task = *child.task;
  // A child is ended and failed on its own; every child observed this way
  // has its outcome delivered by the combinator, so it is not reported.
  task.outcome_observed_ = true;
  if (task.exception_) {
    if (!first_exception_) first_exception_ = &task;
    if (!task.cancelled() && !first_failure_) {
      first_failure_ = &task;
      if (cancel_siblings_on_failure_) cancel_unfinished();
    }
  }
  if (waiting_) waiting_->child_ended();
}

bool ChildSet::WaitAwaiter::await_suspend(std::coroutine_handle<> h) noexcept {
  if (deadline_ && *deadline_ <= Clock::now()) {
    timed_out_ = true;  // nothing to wait for: a zero or negative timeout
    return false;
  }
  if (!park(h)) return false;
  set_.waiting_ = this;
  if (deadline_) {
    deadline = *deadline_;
    fire = [](TimerNode& node) noexcept {
      auto& self = static_cast<WaitAwaiter&>(node);
      self.timed_out_ = true;
      self.finish();
    };
    loop_->add_timer(*this);
  }
  return true;
}

void ChildSet::WaitAwaiter::child_ended() noexcept {
  if (cancel_after_all_end_) {
    if (set_.ended() == set_.size()) finish();
    return;
  }
  if (set_.holds(until_)) finish();
}

void ChildSet::WaitAwaiter::finish() noexcept {
  loop_->remove_timer(*this);
  set_.waiting_ = nullptr;
  if (cancel_after_all_end_) {
    wake_cancelled();
  } else {
    wake();
  }
}

void ChildSet::WaitAwaiter::cancel() noexcept {
  if (!begin_cancel()) return;
  if (on_cancel_ == OnCancel::kStopWaiting) {
    loop_->remove_timer(*this);
    set_.waiting_ = nullptr;
    wake_cancelled();
    return;
  }
  // Structured: no child outlives the call. Cancel them all, keep waiting
  // (without a deadline) until every one has ended, then raise.
  cancel_after_all_end_ = true;
  loop_->remove_timer(*this);
  set_.cancel_unfinished();
  if (set_.ended() == set_.size()) finish();
}

}  // namespace coio::internal
