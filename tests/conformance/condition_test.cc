// Condition: asyncio.Condition semantics over a coio::Lock.
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

// Waits for one notify under the lock, then counts itself woken. Checks that
// it holds the lock when wait() returns.
Task<void> wait_once(Lock& lock, Condition& cond, int& woken) {
  auto guard = co_await lock.lock();
  co_await cond.wait(lock);
  EXPECT_TRUE(lock.locked());
  EXPECT_TRUE(guard.owns_lock());
  ++woken;
}

struct CancelProbe {
  bool cancelled = false;
  bool locked_in_catch = false;
  bool resumed_normally = false;
};

// Waits, gets cancelled, and records what it saw in the handler.
Task<void> wait_until_cancelled(Lock& lock, Condition& cond, CancelProbe& probe) {
  auto guard = co_await lock.lock();
  try {
    co_await cond.wait(guard);
    probe.resumed_normally = true;
  } catch (const CancelledError&) {
    probe.cancelled = true;
    probe.locked_in_catch = lock.locked();
    guard.unlock();  // we own the lock again: unlocking must work
    throw;
  }
}

TEST(Condition, WaitWithoutTheLockThrowsInvalidStateError) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    EXPECT_THROW(co_await cond.wait(lock), InvalidStateError);
    EXPECT_FALSE(lock.locked());
  });
}

TEST(Condition, WaitReleasesTheLockWhileWaiting) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    int woken = 0;
    auto waiter = create_task(wait_once(lock, cond, woken));
    co_await sleep(1ms);
    EXPECT_FALSE(lock.locked());  // the waiter let go of it inside wait()
    {
      auto guard = co_await lock.lock();
      cond.notify();
    }
    co_await waiter;
    EXPECT_EQ(woken, 1);
    EXPECT_FALSE(lock.locked());
  });
}

TEST(Condition, NotifyOneWakesOneWaiter) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    int woken = 0;
    std::vector<TaskHandle<void>> waiters;
    for (int i = 0; i < 3; ++i) waiters.push_back(create_task(wait_once(lock, cond, woken)));
    co_await sleep(1ms);
    EXPECT_EQ(woken, 0);

    {
      auto guard = co_await lock.lock();
      cond.notify(1);
    }
    co_await sleep(5ms);
    EXPECT_EQ(woken, 1);

    {
      auto guard = co_await lock.lock();
      cond.notify(1);
    }
    co_await sleep(5ms);
    EXPECT_EQ(woken, 2);

    {
      auto guard = co_await lock.lock();
      cond.notify(1);
    }
    co_await gather(waiters);
    EXPECT_EQ(woken, 3);
  });
}

TEST(Condition, NotifyNWakesUpToNWaiters) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    int woken = 0;
    std::vector<TaskHandle<void>> waiters;
    for (int i = 0; i < 4; ++i) waiters.push_back(create_task(wait_once(lock, cond, woken)));
    co_await sleep(1ms);
    {
      auto guard = co_await lock.lock();
      cond.notify(3);
    }
    co_await sleep(5ms);
    EXPECT_EQ(woken, 3);
    {
      auto guard = co_await lock.lock();
      cond.notify(10);  // more than are waiting
    }
    co_await gather(waiters);
    EXPECT_EQ(woken, 4);
  });
}

TEST(Condition, NotifyAllWakesEveryWaiter) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    int woken = 0;
    std::vector<TaskHandle<void>> waiters;
    for (int i = 0; i < 5; ++i) waiters.push_back(create_task(wait_once(lock, cond, woken)));
    co_await sleep(1ms);
    {
      auto guard = co_await lock.lock();
      cond.notify_all();
    }
    co_await gather(waiters);
    EXPECT_EQ(woken, 5);
    EXPECT_FALSE(lock.locked());
  });
}

TEST(Condition, NotifyWithNoWaitersIsANoOp) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    auto guard = co_await lock.lock();
    cond.notify();
    cond.notify_all();
    // A notify is not remembered: a later wait still blocks.
    EXPECT_THROW(co_await wait_for(cond.wait(lock), 10ms), TimeoutError);
    EXPECT_TRUE(lock.locked());
  });
}

TEST(Condition, WaitForReturnsOnceThePredicateHolds) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    int value = 0;
    int seen = -1;
    auto waiter = create_task([](Lock& lock, Condition& cond, int& value, int& seen) -> Task<void> {
      auto guard = co_await lock.lock();
      co_await cond.wait_for(lock, [&] { return value >= 3; });
      EXPECT_TRUE(lock.locked());
      seen = value;
    }(lock, cond, value, seen));
    co_await sleep(1ms);
    for (int i = 1; i <= 5; ++i) {
      {
        auto guard = co_await lock.lock();
        value = i;
        cond.notify_all();
      }
      co_await sleep(2ms);
      EXPECT_EQ(waiter.done(), i >= 3) << "after value = " << i;
    }
    co_await waiter;
    EXPECT_EQ(seen, 3);
  });
}

TEST(Condition, WaitForReturnsAtOnceWhenThePredicateAlreadyHolds) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    auto guard = co_await lock.lock();
    co_await wait_for(cond.wait_for(lock, [] { return true; }), 100ms);
    EXPECT_TRUE(lock.locked());
  });
}

TEST(Condition, CancelledWaitRetakesTheLockBeforeCancelledErrorPropagates) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    CancelProbe probe;
    auto waiter = create_task(wait_until_cancelled(lock, cond, probe));
    co_await sleep(1ms);
    EXPECT_FALSE(lock.locked());

    {
      // Hold the lock: the cancelled waiter must wait for it before its
      // CancelledError can surface.
      auto guard = co_await lock.lock();
      EXPECT_TRUE(waiter.cancel());
      co_await sleep(5ms);
      EXPECT_FALSE(waiter.done());
      EXPECT_FALSE(probe.cancelled);
    }
    EXPECT_THROW(co_await waiter, CancelledError);
    EXPECT_TRUE(probe.cancelled);
    EXPECT_TRUE(probe.locked_in_catch);
    EXPECT_FALSE(probe.resumed_normally);
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
  });
}

TEST(Condition, CancelledWaitWithTheLockFreeRetakesItAtOnce) {
  run_async([]() -> Task<void> {
    Lock lock;
    Condition cond;
    CancelProbe probe;
    auto waiter = create_task(wait_until_cancelled(lock, cond, probe));
    co_await sleep(1ms);
    EXPECT_TRUE(waiter.cancel());
    EXPECT_THROW(co_await waiter, CancelledError);
    EXPECT_TRUE(probe.cancelled);
    EXPECT_TRUE(probe.locked_in_catch);
    EXPECT_FALSE(lock.locked());

    // The cancelled waiter left the condition: a notify reaches the next one.
    int woken = 0;
    auto next = create_task(wait_once(lock, cond, woken));
    co_await sleep(1ms);
    {
      auto guard = co_await lock.lock();
      cond.notify(1);
    }
    co_await wait_for(next, 1s);
    EXPECT_EQ(woken, 1);
  });
}

}  // namespace
}  // namespace coio::testing
