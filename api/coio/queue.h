// coio/queue.h: asyncio.Queue, PriorityQueue and LifoQueue.
//
// A queue between tasks. put() waits while the queue is full (maxsize 0
// means unbounded); get() waits while it is empty; the _nowait forms never
// wait and throw QueueFull / QueueEmpty instead. task_done() and join()
// track work: join() returns once every item put has been marked done.
//
//   coio::Queue<std::string> urls(100);
//   co_await urls.put("https://example.org");
//   std::string url = co_await urls.get();
//   ...
//   urls.task_done();
//
// A task cancelled while blocked in get() or put() leaves the queue as it
// was: no item is lost or duplicated.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "coio/errors.h"
#include "coio/event.h"
#include "coio/internal/wait_list.h"
#include "coio/task.h"

namespace coio {
namespace internal {

template <class T>
struct FifoStore {
  std::deque<T> items;
  void push(T v) { items.push_back(std::move(v)); }
  T pop() {
    T v = std::move(items.front());
    items.pop_front();
    return v;
  }
  std::size_t size() const noexcept { return items.size(); }
};

template <class T>
struct LifoStore {
  std::vector<T> items;
  void push(T v) { items.push_back(std::move(v)); }
  T pop() {
    T v = std::move(items.back());
    items.pop_back();
    return v;
  }
  std::size_t size() const noexcept { return items.size(); }
};

// Smallest first, as Python's heapq.
template <class T, class Compare>
struct HeapStore {
  std::vector<T> items;
  Compare less;
  auto greater() const {
    return [this](const T& a, const T& b) { return less(b, a); };
  }
  void push(T v) {
    items.push_back(std::move(v));
    std::push_heap(items.begin(), items.end(), greater());
  }
  T pop() {
    std::pop_heap(items.begin(), items.end(), greater());
    T v = std::move(items.back());
    items.pop_back();
    return v;
  }
  std::size_t size() const noexcept { return items.size(); }
};

template <class T, class Store>
class BasicQueue {
 public:
  explicit BasicQueue(std::size_t maxsize = 0) : maxsize_(maxsize) { all_done_.set(); }
  BasicQueue(const BasicQueue&) = delete;
  BasicQueue& operator=(const BasicQueue&) = delete;

  // Puts an item, waiting while the queue is full.
  Task<void> put(T item) {
    while (full()) co_await putters_.wait();
    put_nowait(std::move(item));
  }
  // Takes an item, waiting while the queue is empty.
  Task<T> get() {
    while (empty()) co_await getters_.wait();
    co_return get_nowait();
  }

  void put_nowait(T item) {
    if (full()) throw QueueFull();
    store_.push(std::move(item));
    ++unfinished_;
    all_done_.clear();
    getters_.wake_one();
  }
  T get_nowait() {
    if (empty()) throw QueueEmpty();
    T item = store_.pop();
    putters_.wake_one();
    return item;
  }

  // Marks one item taken with get() as processed. Throws InvalidStateError
  // when called more times than items were put.
  void task_done() {
    if (unfinished_ == 0) throw InvalidStateError("Queue::task_done called more times than items were put");
    if (--unfinished_ == 0) all_done_.set();
  }
  // Waits until every item put has been marked with task_done().
  auto join() noexcept { return all_done_.wait(); }

  std::size_t size() const noexcept { return store_.size(); }
  std::size_t maxsize() const noexcept { return maxsize_; }
  bool empty() const noexcept { return store_.size() == 0; }
  bool full() const noexcept { return maxsize_ > 0 && store_.size() >= maxsize_; }

 private:
  Store store_;
  std::size_t maxsize_;
  std::size_t unfinished_ = 0;
  WaitList getters_;
  WaitList putters_;
  Event all_done_;
};

}  // namespace internal

template <class T>
class Queue : public internal::BasicQueue<T, internal::FifoStore<T>> {
 public:
  using internal::BasicQueue<T, internal::FifoStore<T>>::BasicQueue;
};

// Gives the smallest item first (by Compare), like asyncio.PriorityQueue.
template <class T, class Compare = std::less<T>>
class PriorityQueue : public internal::BasicQueue<T, internal::HeapStore<T, Compare>> {
 public:
  using internal::BasicQueue<T, internal::HeapStore<T, Compare>>::BasicQueue;
};

// Gives the most recently put item first, like asyncio.LifoQueue.
template <class T>
class LifoQueue : public internal::BasicQueue<T, internal::LifoStore<T>> {
 public:
  using internal::BasicQueue<T, internal::LifoStore<T>>::BasicQueue;
};

}  // namespace coio
