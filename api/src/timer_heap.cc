#include "coio/internal/timer_heap.h"

namespace coio::internal {

void TimerHeap::push(TimerNode& node) {
  node.seq = next_seq_++;
  if (tail_ == nullptr || tail_->deadline <= node.deadline) {
    node.index = TimerNode::kInList;
    node.prev = tail_;
    node.next = nullptr;
    (tail_ ? tail_->next : head_) = &node;
    tail_ = &node;
    ++list_size_;
    return;
  }
  heap_.push_back(&node);
  node.index = heap_.size() - 1;
  sift_up(node.index);
}

TimerNode& TimerHeap::pop() noexcept {
  TimerNode& first = top();
  remove(first);
  return first;
}

void TimerHeap::unlink(TimerNode& node) noexcept {
  (node.prev ? node.prev->next : head_) = node.next;
  (node.next ? node.next->prev : tail_) = node.prev;
  node.prev = node.next = nullptr;
  --list_size_;
}

void TimerHeap::remove(TimerNode& node) noexcept {
  if (node.index == TimerNode::kInList) {
    unlink(node);
    node.index = TimerNode::kNotQueued;
    return;
  }
  std::size_t i = node.index;
  node.index = TimerNode::kNotQueued;
  TimerNode* last = heap_.back();
  heap_.pop_back();
  if (i == heap_.size()) return;  // it was the last one
  place(i, last);
  if (i > 0 && earlier(last, heap_[(i - 1) / 2])) {
    sift_up(i);
  } else {
    sift_down(i);
  }
}

void TimerHeap::sift_up(std::size_t i) noexcept {
  TimerNode* node = heap_[i];
  while (i > 0) {
    std::size_t parent = (i - 1) / 2;
    if (!earlier(node, heap_[parent])) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, node);
}

void TimerHeap::sift_down(std::size_t i) noexcept {
  TimerNode* node = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) ++child;
    if (!earlier(heap_[child], node)) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, node);
}

}  // namespace coio::internal
