// Event: asyncio.Event semantics.
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

Task<void> wait_and_count(Event& event, int& woken) {
  co_await event.wait();
  ++woken;
}

TEST(Event, SetClearAndIsSetTrackTheFlag) {
  Event event;
  EXPECT_FALSE(event.is_set());
  event.set();
  EXPECT_TRUE(event.is_set());
  event.set();  // setting twice is harmless
  EXPECT_TRUE(event.is_set());
  event.clear();
  EXPECT_FALSE(event.is_set());
}

TEST(Event, WaitReturnsAtOnceWhenSet) {
  run_async([]() -> Task<void> {
    Event event;
    event.set();
    bool other_ran = false;
    Loop::current().call_soon([&] { other_ran = true; });
    co_await event.wait();
    // No trip through the loop: the callback scheduled before has not run.
    EXPECT_FALSE(other_ran);
    co_await sleep(0ms);
    EXPECT_TRUE(other_ran);
  });
}

TEST(Event, WaitBlocksUntilSet) {
  run_async([]() -> Task<void> {
    Event event;
    int woken = 0;
    auto waiter = create_task(wait_and_count(event, woken));
    co_await sleep(5ms);
    EXPECT_FALSE(waiter.done());
    EXPECT_EQ(woken, 0);
    event.set();
    co_await waiter;
    EXPECT_EQ(woken, 1);
  });
}

TEST(Event, SetWakesEveryWaiter) {
  run_async([]() -> Task<void> {
    Event event;
    int woken = 0;
    std::vector<TaskHandle<void>> waiters;
    for (int i = 0; i < 5; ++i) waiters.push_back(create_task(wait_and_count(event, woken)));
    co_await sleep(1ms);
    EXPECT_EQ(woken, 0);
    event.set();
    co_await gather(waiters);
    EXPECT_EQ(woken, 5);
  });
}

TEST(Event, SetThenClearStillReleasesTheWaitersWokenBySet) {
  run_async([]() -> Task<void> {
    Event event;
    int woken = 0;
    auto a = create_task(wait_and_count(event, woken));
    auto b = create_task(wait_and_count(event, woken));
    co_await sleep(1ms);
    event.set();
    event.clear();  // before the woken waiters got to run
    co_await wait_for(gather(a, b), 1s);
    EXPECT_EQ(woken, 2);
    EXPECT_FALSE(event.is_set());
  });
}

TEST(Event, WaitAfterClearBlocksAgain) {
  run_async([]() -> Task<void> {
    Event event;
    event.set();
    event.clear();
    EXPECT_THROW(co_await wait_for(event.wait(), 10ms), TimeoutError);
  });
}

TEST(Event, CancelledWaiterIsRemovedAndTheOthersStillWake) {
  run_async([]() -> Task<void> {
    Event event;
    int woken = 0;
    auto a = create_task(wait_and_count(event, woken));
    auto b = create_task(wait_and_count(event, woken));
    auto c = create_task(wait_and_count(event, woken));
    co_await sleep(1ms);  // all three are parked in wait()

    EXPECT_TRUE(b.cancel());
    EXPECT_THROW(co_await b, CancelledError);
    EXPECT_TRUE(b.cancelled());
    EXPECT_EQ(woken, 0);
    EXPECT_FALSE(event.is_set());

    event.set();
    co_await a;
    co_await c;
    EXPECT_EQ(woken, 2);

    // The cancelled waiter is gone from the event: setting again, and
    // clearing and waking a fresh waiter, touches only live waiters.
    event.clear();
    auto d = create_task(wait_and_count(event, woken));
    co_await sleep(1ms);
    event.set();
    co_await d;
    EXPECT_EQ(woken, 3);
    EXPECT_TRUE(b.cancelled());
  });
}

TEST(Event, CancelledWaiterFreedBeforeTheNextSetIsNotTouched) {
  run_async([]() -> Task<void> {
    Event event;
    int woken = 0;
    {
      auto doomed = create_task(wait_and_count(event, woken));
      co_await sleep(1ms);
      doomed.cancel();
      EXPECT_THROW(co_await doomed, CancelledError);
    }  // the last handle goes: the task's frame is freed
    co_await sleep(1ms);
    event.set();  // must not reach the freed waiter (ASan would report it)
    co_await sleep(1ms);
    EXPECT_EQ(woken, 0);
  });
}

TEST(Event, WaitForTimesOutWithTimeoutError) {
  run_async([]() -> Task<void> {
    Event event;
    const auto start = Clock::now();
    EXPECT_THROW(co_await wait_for(event.wait(), 10ms), TimeoutError);
    const double elapsed = ms_since(start);
    EXPECT_GE(elapsed, 10.0);
    EXPECT_LT(elapsed, 500.0);
    // The timed-out wait left the event: a later set() wakes nobody stale.
    event.set();
    co_await sleep(1ms);
    EXPECT_TRUE(event.is_set());
  });
}

TEST(Event, WaitForReturnsWhenSetBeforeTheDeadline) {
  run_async([]() -> Task<void> {
    Event event;
    Loop::current().call_later(5ms, [&] { event.set(); });
    co_await wait_for(event.wait(), 1s);
    EXPECT_TRUE(event.is_set());
  });
}

}  // namespace
}  // namespace coio::testing
