// Queue, PriorityQueue, LifoQueue: asyncio.Queue semantics.
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

using ::testing::ElementsAre;

Task<int> get_one(Queue<int>& q) { co_return co_await q.get(); }

// Takes one item and records it; the task may be cancelled right after.
Task<void> get_and_record(Queue<int>& q, std::vector<int>& got) {
  int v = co_await q.get();
  got.push_back(v);
}

Task<void> put_one(Queue<int>& q, int v) { co_await q.put(v); }

// The worker of asyncio's Queue example: takes items forever.
Task<void> worker(Queue<int>& q, std::vector<int>& processed) {
  for (;;) {
    int item = co_await q.get();
    co_await sleep(std::chrono::milliseconds(item % 3 + 1));
    processed.push_back(item);
    q.task_done();
  }
}

TEST(Queue, GivesItemsInFifoOrder) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    for (int i = 1; i <= 5; ++i) co_await q.put(i);
    std::vector<int> got;
    for (int i = 0; i < 5; ++i) got.push_back(co_await q.get());
    EXPECT_THAT(got, ElementsAre(1, 2, 3, 4, 5));
    EXPECT_TRUE(q.empty());
  });
}

TEST(Queue, GetWaitsUntilAnItemIsPut) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    auto consumer = create_task(get_one(q));
    co_await sleep(5ms);
    EXPECT_FALSE(consumer.done());
    q.put_nowait(7);
    EXPECT_EQ(co_await consumer, 7);
    EXPECT_TRUE(q.empty());
  });
}

TEST(Queue, GettersAreServedInFifoOrder) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    std::vector<int> a, b, c;
    auto ta = create_task(get_and_record(q, a));
    co_await sleep(0ms);
    auto tb = create_task(get_and_record(q, b));
    co_await sleep(0ms);
    auto tc = create_task(get_and_record(q, c));
    co_await sleep(1ms);
    for (int i = 1; i <= 3; ++i) q.put_nowait(i);
    co_await gather(ta, tb, tc);
    EXPECT_THAT(a, ElementsAre(1));
    EXPECT_THAT(b, ElementsAre(2));
    EXPECT_THAT(c, ElementsAre(3));
  });
}

TEST(Queue, PutWaitsWhileTheQueueIsFull) {
  run_async([]() -> Task<void> {
    Queue<int> q(2);
    co_await q.put(1);
    co_await q.put(2);
    EXPECT_TRUE(q.full());
    auto producer = create_task(put_one(q, 3));
    co_await sleep(5ms);
    EXPECT_FALSE(producer.done());
    EXPECT_EQ(q.size(), 2u);

    EXPECT_EQ(co_await q.get(), 1);
    co_await wait_for(producer, 1s);
    EXPECT_EQ(q.size(), 2u);
    EXPECT_EQ(co_await q.get(), 2);
    EXPECT_EQ(co_await q.get(), 3);
    EXPECT_TRUE(q.empty());
  });
}

TEST(Queue, PutNowaitOnAFullQueueThrowsQueueFull) {
  run_async([]() -> Task<void> {
    Queue<int> q(1);
    q.put_nowait(1);
    EXPECT_THROW(q.put_nowait(2), QueueFull);
    EXPECT_EQ(q.size(), 1u);
    EXPECT_EQ(q.get_nowait(), 1);
    co_return;
  });
}

TEST(Queue, GetNowaitOnAnEmptyQueueThrowsQueueEmpty) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    EXPECT_THROW(q.get_nowait(), QueueEmpty);
    q.put_nowait(1);
    EXPECT_EQ(q.get_nowait(), 1);
    EXPECT_THROW(q.get_nowait(), QueueEmpty);
    co_return;
  });
}

TEST(Queue, JoinReturnsOnlyAfterEveryItemIsMarkedDone) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    for (int i = 0; i < 3; ++i) q.put_nowait(i);
    bool joined = false;
    auto joiner = create_task([](Queue<int>& q, bool& joined) -> Task<void> {
      co_await q.join();
      joined = true;
    }(q, joined));
    for (int i = 0; i < 3; ++i) (void)q.get_nowait();
    co_await sleep(1ms);
    EXPECT_FALSE(joined);  // taken, but not marked done
    q.task_done();
    q.task_done();
    co_await sleep(1ms);
    EXPECT_FALSE(joined);
    q.task_done();
    co_await wait_for(joiner, 1s);
    EXPECT_TRUE(joined);
  });
}

TEST(Queue, JoinOnAFreshQueueReturnsAtOnce) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    const auto start = Clock::now();
    co_await wait_for(q.join(), 1s);
    EXPECT_LT(ms_since(start), 100.0);
    // And once every item has been processed.
    q.put_nowait(1);
    (void)q.get_nowait();
    q.task_done();
    co_await wait_for(q.join(), 1s);
  });
}

TEST(Queue, TaskDoneCalledTooManyTimesThrowsInvalidStateError) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    EXPECT_THROW(q.task_done(), InvalidStateError);
    q.put_nowait(1);
    (void)q.get_nowait();
    q.task_done();
    EXPECT_THROW(q.task_done(), InvalidStateError);
    co_return;
  });
}

TEST(Queue, ReportsSizeEmptyFullAndMaxsize) {
  run_async([]() -> Task<void> {
    Queue<int> q(2);
    EXPECT_EQ(q.maxsize(), 2u);
    EXPECT_EQ(q.size(), 0u);
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(q.full());
    q.put_nowait(1);
    EXPECT_EQ(q.size(), 1u);
    EXPECT_FALSE(q.empty());
    EXPECT_FALSE(q.full());
    q.put_nowait(2);
    EXPECT_EQ(q.size(), 2u);
    EXPECT_TRUE(q.full());
    (void)q.get_nowait();
    EXPECT_FALSE(q.full());
    co_return;
  });
}

TEST(Queue, WithMaxsizeZeroIsNeverFull) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    EXPECT_EQ(q.maxsize(), 0u);
    for (int i = 0; i < 1000; ++i) q.put_nowait(i);
    EXPECT_FALSE(q.full());
    EXPECT_EQ(q.size(), 1000u);
    co_return;
  });
}

TEST(Queue, HoldsMoveOnlyItems) {
  run_async([]() -> Task<void> {
    Queue<std::unique_ptr<int>> q(1);
    co_await q.put(std::make_unique<int>(5));
    std::unique_ptr<int> v = co_await q.get();
    EXPECT_EQ(*v, 5);
  });
}

TEST(PriorityQueue, GivesTheSmallestItemFirst) {
  run_async([]() -> Task<void> {
    PriorityQueue<int> q;
    for (int v : {5, 1, 4, 2, 3}) co_await q.put(v);
    std::vector<int> got;
    while (!q.empty()) got.push_back(co_await q.get());
    EXPECT_THAT(got, ElementsAre(1, 2, 3, 4, 5));
  });
}

TEST(PriorityQueue, OrdersPriorityEntryPairsByPriority) {
  run_async([]() -> Task<void> {
    PriorityQueue<std::pair<int, std::string>> q;
    q.put_nowait({3, "low"});
    q.put_nowait({1, "high"});
    q.put_nowait({2, "mid"});
    EXPECT_EQ((co_await q.get()).second, "high");
    EXPECT_EQ((co_await q.get()).second, "mid");
    EXPECT_EQ((co_await q.get()).second, "low");
  });
}

TEST(PriorityQueue, AcceptsACustomComparison) {
  run_async([]() -> Task<void> {
    PriorityQueue<int, std::greater<int>> q;
    for (int v : {2, 3, 1}) q.put_nowait(v);
    EXPECT_EQ(q.get_nowait(), 3);
    EXPECT_EQ(q.get_nowait(), 2);
    EXPECT_EQ(q.get_nowait(), 1);
    co_return;
  });
}

TEST(LifoQueue, GivesTheLastItemPutFirst) {
  run_async([]() -> Task<void> {
    LifoQueue<int> q;
    for (int v = 1; v <= 4; ++v) co_await q.put(v);
    std::vector<int> got;
    while (!q.empty()) got.push_back(co_await q.get());
    EXPECT_THAT(got, ElementsAre(4, 3, 2, 1));
  });
}

TEST(Queue, CancellingABlockedGetLosesNoItem) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    std::vector<int> got;
    auto doomed = create_task(get_and_record(q, got));
    co_await sleep(1ms);
    EXPECT_TRUE(doomed.cancel());
    EXPECT_THROW(co_await doomed, CancelledError);

    q.put_nowait(42);
    EXPECT_EQ(q.size(), 1u);
    EXPECT_EQ(co_await wait_for(get_one(q), 1s), 42);
    EXPECT_TRUE(got.empty());
  });
}

TEST(Queue, CancellingAGetterJustWokenByAPutLosesNoItem) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    std::vector<int> got;
    auto doomed = create_task(get_and_record(q, got));
    co_await sleep(1ms);
    q.put_nowait(42);  // wakes the getter ...
    doomed.cancel();   // ... which is cancelled before it runs
    EXPECT_THROW(co_await doomed, CancelledError);
    // The item went either to the cancelled getter (which recorded it) or
    // back to the queue, never nowhere and never twice.
    EXPECT_EQ(got.size() + q.size(), 1u);
    if (q.size() == 1) {
      EXPECT_EQ(q.get_nowait(), 42);
    }
    if (got.size() == 1) {
      EXPECT_EQ(got[0], 42);
    }
  });
}

TEST(Queue, CancellingABlockedGetWakesTheNextGetter) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    std::vector<int> first, second;
    auto a = create_task(get_and_record(q, first));
    co_await sleep(0ms);
    auto b = create_task(get_and_record(q, second));
    co_await sleep(1ms);
    a.cancel();
    q.put_nowait(1);
    EXPECT_THROW(co_await a, CancelledError);
    co_await wait_for(b, 1s);
    EXPECT_TRUE(first.empty());
    EXPECT_THAT(second, ElementsAre(1));
  });
}

TEST(Queue, CancellingABlockedPutDoesNotInsertItsItem) {
  run_async([]() -> Task<void> {
    Queue<int> q(1);
    q.put_nowait(1);
    auto producer = create_task(put_one(q, 2));
    co_await sleep(1ms);
    EXPECT_TRUE(producer.cancel());
    EXPECT_THROW(co_await producer, CancelledError);

    EXPECT_EQ(q.size(), 1u);
    EXPECT_EQ(q.get_nowait(), 1);
    co_await sleep(1ms);
    EXPECT_TRUE(q.empty());
    EXPECT_THROW(q.get_nowait(), QueueEmpty);
    // The slot is free for the next producer.
    co_await wait_for(put_one(q, 3), 1s);
    EXPECT_EQ(q.get_nowait(), 3);
  });
}

// asyncio's documented Queue example: workers take items until cancelled.
TEST(Queue, WorkersDrainTheQueueThenJoinReturnsAndTheWorkersAreCancelled) {
  run_async([]() -> Task<void> {
    Queue<int> q;
    std::vector<int> processed;
    for (int i = 0; i < 20; ++i) q.put_nowait(i);

    auto w1 = create_task(worker(q, processed), "worker-1");
    auto w2 = create_task(worker(q, processed), "worker-2");
    auto w3 = create_task(worker(q, processed), "worker-3");

    const auto start = Clock::now();
    co_await wait_for(q.join(), 2s);
    EXPECT_LT(ms_since(start), 1000.0);
    EXPECT_EQ(processed.size(), 20u);
    EXPECT_TRUE(q.empty());

    w1.cancel();
    w2.cancel();
    w3.cancel();
    auto [r1, r2, r3] = co_await gather(return_exceptions, w1, w2, w3);
    for (const auto* r : {&r1, &r2, &r3}) {
      EXPECT_FALSE(r->ok());
      EXPECT_EQ(r->status().code(), absl::StatusCode::kCancelled);
      EXPECT_THROW(r->value(), CancelledError);
    }
    EXPECT_TRUE(w1.cancelled());
    EXPECT_TRUE(w2.cancelled());
    EXPECT_TRUE(w3.cancelled());

    std::sort(processed.begin(), processed.end());
    for (int i = 0; i < 20; ++i) EXPECT_EQ(processed[i], i);
  });
}

}  // namespace
}  // namespace coio::testing
