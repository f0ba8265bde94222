// Semaphore: asyncio.Semaphore semantics (FIFO), plus the RAII Guard.
#include <algorithm>
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

Task<void> hold_permit(Semaphore& sem, Occupancy& occ) {
  auto permit = co_await sem.acquire();
  occ.max_inside = std::max(occ.max_inside, ++occ.inside);
  co_await sleep(2ms);
  --occ.inside;
}

Task<void> acquire_and_record(Semaphore& sem, std::vector<int>& order, int id) {
  auto permit = co_await sem.acquire();
  order.push_back(id);
  co_await sleep(1ms);
}

TEST(Semaphore, LetsAtMostNTasksHoldAPermitAtOnce) {
  run_async([]() -> Task<void> {
    Semaphore sem(3);
    Occupancy occ;
    std::vector<Task<void>> tasks;
    for (int i = 0; i < 10; ++i) tasks.push_back(hold_permit(sem, occ));
    co_await gather(std::move(tasks));
    EXPECT_EQ(occ.max_inside, 3);
    EXPECT_EQ(occ.inside, 0);
    EXPECT_EQ(sem.value(), 3u);
  });
}

TEST(Semaphore, ValueCountsTheFreePermits) {
  run_async([]() -> Task<void> {
    Semaphore sem(2);
    EXPECT_EQ(sem.value(), 2u);
    EXPECT_FALSE(sem.locked());
    {
      auto a = co_await sem.acquire();
      EXPECT_TRUE(a.owns_permit());
      EXPECT_EQ(sem.value(), 1u);
      auto b = co_await sem.acquire();
      EXPECT_EQ(sem.value(), 0u);
      EXPECT_TRUE(sem.locked());
      EXPECT_FALSE(sem.try_acquire());
      b.release();
      EXPECT_FALSE(b.owns_permit());
      EXPECT_EQ(sem.value(), 1u);
    }
    EXPECT_EQ(sem.value(), 2u);
    EXPECT_TRUE(sem.try_acquire());
    EXPECT_EQ(sem.value(), 1u);
    sem.release();
    EXPECT_EQ(sem.value(), 2u);
  });
}

TEST(Semaphore, DefaultsToOnePermit) {
  Semaphore sem;
  EXPECT_EQ(sem.value(), 1u);
}

TEST(Semaphore, WithZeroPermitsAcquireWaitsForARelease) {
  run_async([]() -> Task<void> {
    Semaphore sem(0);
    std::vector<int> order;
    EXPECT_TRUE(sem.locked());
    auto waiter = create_task(acquire_and_record(sem, order, 1));
    co_await sleep(5ms);
    EXPECT_TRUE(order.empty());
    sem.release();
    co_await wait_for(waiter, 1s);
    EXPECT_THAT(order, ElementsAre(1));
    EXPECT_EQ(sem.value(), 1u);  // the permit released came back via the guard
  });
}

TEST(Semaphore, GivesPermitsToWaitersInFifoOrder) {
  run_async([]() -> Task<void> {
    Semaphore sem(1);
    std::vector<int> order;
    std::vector<TaskHandle<void>> waiters;
    {
      auto permit = co_await sem.acquire();
      for (int i = 0; i < 5; ++i) {
        waiters.push_back(create_task(acquire_and_record(sem, order, i)));
        co_await sleep(0ms);  // let waiter i queue before waiter i + 1
      }
      co_await sleep(1ms);
      EXPECT_TRUE(order.empty());
    }
    co_await gather(waiters);
    EXPECT_THAT(order, ElementsAre(0, 1, 2, 3, 4));
    EXPECT_EQ(sem.value(), 1u);
  });
}

TEST(Semaphore, ReleaseWithWaitersHandsThePermitOver) {
  run_async([]() -> Task<void> {
    Semaphore sem(1);
    std::vector<int> order;
    auto permit = co_await sem.acquire();
    auto waiter = create_task(acquire_and_record(sem, order, 1));
    co_await sleep(1ms);
    permit.release();
    // The permit went to the waiter: it is not free for anyone else.
    EXPECT_EQ(sem.value(), 0u);
    EXPECT_FALSE(sem.try_acquire());
    co_await waiter;
    EXPECT_THAT(order, ElementsAre(1));
    EXPECT_EQ(sem.value(), 1u);
  });
}

TEST(Semaphore, CancellingABlockedAcquireLeavesTheCountConsistent) {
  run_async([]() -> Task<void> {
    Semaphore sem(2);
    std::vector<int> order;
    auto p1 = co_await sem.acquire();
    auto p2 = co_await sem.acquire();
    auto w1 = create_task(acquire_and_record(sem, order, 1));
    auto w2 = create_task(acquire_and_record(sem, order, 2));
    auto w3 = create_task(acquire_and_record(sem, order, 3));
    co_await sleep(1ms);

    EXPECT_TRUE(w2.cancel());
    EXPECT_THROW(co_await w2, CancelledError);
    EXPECT_EQ(sem.value(), 0u);

    p1.release();
    p2.release();
    co_await w1;
    co_await w3;
    EXPECT_THAT(order, ElementsAre(1, 3));
    EXPECT_EQ(sem.value(), 2u);
  });
}

TEST(Semaphore, CancellingAWaiterJustHandedAPermitDoesNotLoseIt) {
  run_async([]() -> Task<void> {
    Semaphore sem(1);
    std::vector<int> order;
    auto permit = co_await sem.acquire();
    auto w1 = create_task(acquire_and_record(sem, order, 1));
    auto w2 = create_task(acquire_and_record(sem, order, 2));
    co_await sleep(1ms);

    permit.release();  // hands the permit to w1 ...
    w1.cancel();       // ... which is cancelled before it runs
    EXPECT_THROW(co_await w1, CancelledError);
    co_await wait_for(w2, 1s);
    EXPECT_THAT(order, AnyOf(ElementsAre(2), ElementsAre(1, 2)));
    EXPECT_EQ(sem.value(), 1u);
  });
}

}  // namespace
}  // namespace coio::testing
