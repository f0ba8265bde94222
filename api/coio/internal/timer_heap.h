// coio/internal/timer_heap.h: the loop's timers, in deadline order.
//
// An intrusive binary min-heap: each TimerNode lives in the awaiting frame
// (sleep) or in a callback object (call_later) and remembers its index, so
// cancelling a timer removes it in O(log n) instead of leaving a tombstone.
// Timers with equal deadlines fire in the order they were added.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "coio/backend.h"

namespace coio::internal {

struct TimerNode {
  static constexpr std::size_t kNotQueued = static_cast<std::size_t>(-1);

  Clock::time_point deadline;
  std::uint64_t seq = 0;
  std::size_t index = kNotQueued;
  void (*fire)(TimerNode&) noexcept = nullptr;

  bool queued() const noexcept { return index != kNotQueued; }
};

class TimerHeap {
 public:
  bool empty() const noexcept { return heap_.empty(); }
  std::size_t size() const noexcept { return heap_.size(); }
  TimerNode& top() const noexcept { return *heap_.front(); }

  void push(TimerNode& node);
  void remove(TimerNode& node) noexcept;
  TimerNode& pop() noexcept;

 private:
  static bool earlier(const TimerNode* a, const TimerNode* b) noexcept {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
  }
  void place(std::size_t i, TimerNode* node) noexcept {
    heap_[i] = node;
    node->index = i;
  }
  void sift_up(std::size_t i) noexcept;
  void sift_down(std::size_t i) noexcept;

  std::vector<TimerNode*> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace coio::internal
