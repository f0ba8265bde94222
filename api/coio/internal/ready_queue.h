// coio/internal/ready_queue.h: what the loop runs next, in FIFO order.
//
// A growable ring buffer that is never shrunk, so a steady-state loop turn
// allocates nothing. An entry resumes a coroutine on behalf of a task, or
// runs a callback (call_soon).
#pragma once

#include <coroutine>
#include <cstddef>
#include <vector>

namespace coio::internal {

class PromiseBase;
struct Callback;

struct ReadyItem {
  std::coroutine_handle<> handle;  // null for a callback
  PromiseBase* task = nullptr;     // the task the coroutine runs for
  Callback* callback = nullptr;
};

class ReadyQueue {
 public:
  ReadyQueue() : items_(1024), mask_(1023) {}

  bool empty() const noexcept { return head_ == tail_; }
  std::size_t size() const noexcept { return tail_ - head_; }

  void push(const ReadyItem& item) {
    if (size() == items_.size()) grow();
    items_[tail_++ & mask_] = item;
  }

  ReadyItem pop() noexcept { return items_[head_++ & mask_]; }

 private:
  void grow() {
    std::vector<ReadyItem> bigger(items_.size() * 2);
    for (std::size_t i = head_; i != tail_; ++i) bigger[i - head_] = items_[i & mask_];
    tail_ -= head_;
    head_ = 0;
    items_.swap(bigger);
    mask_ = items_.size() - 1;
  }

  std::vector<ReadyItem> items_;
  std::size_t mask_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

}  // namespace coio::internal
