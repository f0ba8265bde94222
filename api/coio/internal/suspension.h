// coio/internal/suspension.h: the await points that cancel() can interrupt.
//
// Every coio awaitable that suspends a task registers itself as the task's
// current Suspension. TaskHandle::cancel() calls its cancel(), which must make
// the wait end soon (remove a timer, ask the kernel to abort an operation,
// leave a waiter list) and then resume the task, which throws CancelledError
// from await_resume(). cancel() may be called more than once; the second call
// must do nothing.
#pragma once

namespace coio::internal {

class Suspension {
 public:
  virtual void cancel() noexcept = 0;

 protected:
  ~Suspension() = default;
};

// A node in an intrusive, doubly linked list of things waiting for an event
// (a task to finish, an Event to be set). Removal is O(1) so a cancelled
// waiter leaves without a search.
struct Waiter {
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
  void (*notify)(Waiter&) noexcept = nullptr;

  bool linked() const noexcept { return prev != nullptr; }
};

class WaiterList {
 public:
  WaiterList() noexcept { head_.prev = head_.next = &head_; }
  WaiterList(const WaiterList&) = delete;
  WaiterList& operator=(const WaiterList&) = delete;

  bool empty() const noexcept { return head_.next == &head_; }

  void push_back(Waiter& w) noexcept {
    w.prev = head_.prev;
    w.next = &head_;
    head_.prev->next = &w;
    head_.prev = &w;
  }

  static void remove(Waiter& w) noexcept {
    if (!w.linked()) return;
    w.prev->next = w.next;
    w.next->prev = w.prev;
    w.prev = w.next = nullptr;
  }

  // Unlinks and returns the first waiter, or null.
  Waiter* pop_front() noexcept {
    if (empty()) return nullptr;
    Waiter* w = head_.next;
    remove(*w);
    return w;
  }

  // Unlinks every waiter, then notifies each in order. A notified waiter may
  // add itself or others to the list again; those wait for the next time.
  void notify_all() noexcept {
    WaiterList taken;
    take_all(taken);
    while (Waiter* w = taken.pop_front()) w->notify(*w);
  }

 private:
  void take_all(WaiterList& into) noexcept {
    if (empty()) return;
    into.head_.next = head_.next;
    into.head_.prev = head_.prev;
    head_.next->prev = &into.head_;
    head_.prev->next = &into.head_;
    head_.prev = head_.next = &head_;
  }
  Waiter head_;
};

}  // namespace coio::internal
