// Lock: asyncio.Lock semantics (fair, FIFO), plus the RAII Guard.
#include <algorithm>
#include <stdexcept>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;

struct Occupancy {
  int inside = 0;
  int max_inside = 0;
};

Task<void> hold_while_sleeping(Lock& lock, Occupancy& occ, std::chrono::milliseconds hold) {
  auto guard = co_await lock.lock();
  occ.max_inside = std::max(occ.max_inside, ++occ.inside);
  co_await sleep(hold);
  --occ.inside;
}

// Takes the lock, records `id`, and keeps the lock across one more await.
Task<void> lock_and_record(Lock& lock, std::vector<int>& order, int id) {
  auto guard = co_await lock.lock();
  order.push_back(id);
  co_await sleep(1ms);
}

Task<void> lock_then_throw(Lock& lock) {
  auto guard = co_await lock.lock();
  co_await sleep(1ms);
  throw std::runtime_error("failed while holding the lock");
}

TEST(Lock, ExcludesOtherTasksWhileTheHolderSleeps) {
  run_async([]() -> Task<void> {
    Lock lock;
    Occupancy occ;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(hold_while_sleeping(lock, occ, 2ms));
    co_await gather(std::move(tasks));
    EXPECT_EQ(occ.max_inside, 1);
    EXPECT_EQ(occ.inside, 0);
    EXPECT_FALSE(lock.locked());
  });
}

TEST(Lock, HandsTheLockToWaitersInFifoOrder) {
  run_async([]() -> Task<void> {
    Lock lock;
    std::vector<int> order;
    std::vector<TaskHandle<void>> waiters;
    {
      auto guard = co_await lock.lock();
      for (int i = 0; i < 5; ++i) {
        waiters.push_back(create_task(lock_and_record(lock, order, i)));
        co_await sleep(0ms);  // let waiter i queue before waiter i + 1
      }
      co_await sleep(1ms);
      EXPECT_TRUE(order.empty());
    }
    co_await gather(waiters);
    EXPECT_THAT(order, ElementsAre(0, 1, 2, 3, 4));
    EXPECT_FALSE(lock.locked());
  });
}

TEST(Lock, UnlockWithWaitersKeepsItLockedForTheFirstWaiter) {
  run_async([]() -> Task<void> {
    Lock lock;
    std::vector<int> order;
    auto guard = co_await lock.lock();
    auto waiter = create_task(lock_and_record(lock, order, 1));
    co_await sleep(1ms);
    guard.unlock();
    // The lock is the waiter's now: nobody may barge in before it runs.
    EXPECT_TRUE(lock.locked());
    EXPECT_FALSE(lock.try_lock());
    co_await waiter;
    EXPECT_THAT(order, ElementsAre(1));
    EXPECT_FALSE(lock.locked());
  });
}

TEST(Lock, TryLockTakesAFreeLockAndNeverWaits) {
  run_async([]() -> Task<void> {
    Lock lock;
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.try_lock());
    EXPECT_TRUE(lock.locked());
    EXPECT_FALSE(lock.try_lock());
    lock.unlock();
    EXPECT_FALSE(lock.locked());
    {
      auto guard = co_await lock.lock();
      EXPECT_FALSE(lock.try_lock());
    }
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
  });
}

TEST(Lock, UnlockOfAnUnlockedLockThrowsInvalidStateError) {
  Lock lock;
  EXPECT_THROW(lock.unlock(), InvalidStateError);
  EXPECT_TRUE(lock.try_lock());
  lock.unlock();
  EXPECT_THROW(lock.unlock(), InvalidStateError);
  EXPECT_FALSE(lock.locked());
}

TEST(Lock, GuardUnlocksOnScopeExit) {
  run_async([]() -> Task<void> {
    Lock lock;
    {
      auto guard = co_await lock.lock();
      EXPECT_TRUE(guard.owns_lock());
      EXPECT_EQ(guard.lock(), &lock);
      EXPECT_TRUE(lock.locked());
    }
    EXPECT_FALSE(lock.locked());

    // An explicit unlock() is not repeated by the destructor.
    {
      auto guard = co_await lock.lock();
      guard.unlock();
      EXPECT_FALSE(guard.owns_lock());
      EXPECT_FALSE(lock.locked());
    }
    EXPECT_FALSE(lock.locked());

    // Moving the guard moves the ownership.
    {
      Lock::Guard outer;
      {
        auto guard = co_await lock.lock();
        outer = std::move(guard);
        EXPECT_FALSE(guard.owns_lock());
      }
      EXPECT_TRUE(lock.locked());
      EXPECT_TRUE(outer.owns_lock());
    }
    EXPECT_FALSE(lock.locked());
  });
}

TEST(Lock, GuardUnlocksWhenAnExceptionLeavesTheScope) {
  run_async([]() -> Task<void> {
    Lock lock;
    EXPECT_THROW(co_await lock_then_throw(lock), std::runtime_error);
    EXPECT_FALSE(lock.locked());
    // And the lock still works.
    auto guard = co_await lock.lock();
    EXPECT_TRUE(lock.locked());
  });
}

TEST(Lock, CancellingABlockedLockerLeavesTheLockConsistent) {
  run_async([]() -> Task<void> {
    Lock lock;
    std::vector<int> order;
    auto guard = co_await lock.lock();
    auto w1 = create_task(lock_and_record(lock, order, 1));
    auto w2 = create_task(lock_and_record(lock, order, 2));
    auto w3 = create_task(lock_and_record(lock, order, 3));
    co_await sleep(1ms);  // all three are queued behind us

    EXPECT_TRUE(w2.cancel());
    EXPECT_THROW(co_await w2, CancelledError);
    EXPECT_TRUE(lock.locked());  // still ours

    guard.unlock();
    co_await w1;
    co_await w3;
    EXPECT_THAT(order, ElementsAre(1, 3));
    EXPECT_FALSE(lock.locked());
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
  });
}

TEST(Lock, CancellingTheFirstWaiterPassesTheLockToTheNext) {
  run_async([]() -> Task<void> {
    Lock lock;
    std::vector<int> order;
    auto guard = co_await lock.lock();
    auto w1 = create_task(lock_and_record(lock, order, 1));
    auto w2 = create_task(lock_and_record(lock, order, 2));
    co_await sleep(1ms);

    // The cancel and the unlock in the same turn: w1 leaves the queue first.
    w1.cancel();
    guard.unlock();
    EXPECT_THROW(co_await w1, CancelledError);
    co_await w2;
    EXPECT_THAT(order, ElementsAre(2));
    EXPECT_FALSE(lock.locked());
  });
}

TEST(Lock, CancellingAWaiterJustHandedTheLockDoesNotLoseIt) {
  run_async([]() -> Task<void> {
    Lock lock;
    std::vector<int> order;
    auto guard = co_await lock.lock();
    auto w1 = create_task(lock_and_record(lock, order, 1));
    auto w2 = create_task(lock_and_record(lock, order, 2));
    co_await sleep(1ms);

    // The unlock hands the lock to w1, then w1 is cancelled before it runs.
    // Whether w1 briefly holds the lock or passes it on, w2 must get it.
    guard.unlock();
    w1.cancel();
    EXPECT_THROW(co_await w1, CancelledError);
    co_await wait_for(w2, 1s);
    EXPECT_THAT(order, AnyOf(ElementsAre(2), ElementsAre(1, 2)));
    EXPECT_FALSE(lock.locked());
  });
}

}  // namespace
}  // namespace coio::testing
