// coio/internal/timer_heap.h: the loop's timers, in deadline order.
//
// Two structures behind one interface. Most timers are added with deadlines
// that never go backwards (many tasks sleeping the same duration), so a
// timer whose deadline is not before the last one appended goes to the end
// of a FIFO list in O(1); the others go to an intrusive binary min-heap. The
// earliest timer is the earlier of the two heads. Nodes live in the awaiting
// frame (sleep) or in a callback object (call_later) and know where they
// are, so cancelling removes them at once instead of leaving a tombstone.
// Timers with equal deadlines fire in the order they were added.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "coio/backend.h"

namespace coio::internal {

struct TimerNode {
  static constexpr std::size_t kNotQueued = static_cast<std::size_t>(-1);
  static constexpr std::size_t kInList = static_cast<std::size_t>(-2);

  Clock::time_point deadline;
  std::uint64_t seq = 0;
  std::size_t index = kNotQueued;  // heap position, kInList, or kNotQueued
  TimerNode* prev = nullptr;       // list links, while index == kInList
  TimerNode* next = nullptr;
  void (*fire)(TimerNode&) noexcept = nullptr;

  bool queued() const noexcept { return index != kNotQueued; }
};

class TimerHeap {
 public:
  bool empty() const noexcept { return heap_.empty() && head_ == nullptr; }
  std::size_t size() const noexcept { return heap_.size() + list_size_; }
  TimerNode& top() const noexcept {
    if (head_ == nullptr) return *heap_.front();
    if (heap_.empty() || earlier(head_, heap_.front())) return *head_;
    return *heap_.front();
  }

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
  void unlink(TimerNode& node) noexcept;

  std::vector<TimerNode*> heap_;
  TimerNode* head_ = nullptr;  // the FIFO list, deadlines non-decreasing
  TimerNode* tail_ = nullptr;
  std::size_t list_size_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace coio::internal
