// coio::TaskGroup: asyncio.TaskGroup, structured concurrency.
#include <stdexcept>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

Task<void> sleep_recording_cancel(std::chrono::milliseconds d, bool& cancelled) {
  try {
    co_await sleep(d);
  } catch (const CancelledError&) {
    cancelled = true;
    throw;
  }
}

TEST(TaskGroup, JoinWaitsForEveryChild) {
  run_async([]() -> Task<void> {
    TaskGroup group;
    auto a = group.spawn(after(10ms, 1));
    auto b = group.spawn(after(20ms, 2));
    auto c = group.spawn(sleep(5ms), "sleeper");
    co_await group.join();
    EXPECT_EQ(a.result() + b.result(), 3);
    EXPECT_TRUE(c.done());
    EXPECT_EQ(c.name(), "sleeper");
    EXPECT_EQ(group.size(), 3u);
  });
}

TEST(TaskGroup, FirstFailureCancelsSiblingsAndJoinRethrowsIt) {
  run_async([]() -> Task<void> {
    bool cancelled = false;
    TaskGroup group;
    auto sibling = group.spawn(sleep_recording_cancel(10s, cancelled));
    group.spawn(fail_after(5ms, "child failed"));
    try {
      co_await group.join();
      ADD_FAILURE() << "join did not throw";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "child failed");
    }
    EXPECT_TRUE(cancelled);
    EXPECT_TRUE(sibling.cancelled());
  });
}

TEST(TaskGroup, AFailureCancelsSiblingsBeforeJoinIsAwaited) {
  run_async([]() -> Task<void> {
    bool cancelled = false;
    TaskGroup group;
    auto sibling = group.spawn(sleep_recording_cancel(10s, cancelled));
    group.spawn(fail_after(1ms, "early"));
    co_await sleep(20ms);
    EXPECT_TRUE(cancelled);
    EXPECT_TRUE(sibling.done());
    auto late = group.spawn(after(1ms, 1));  // after a failure: cancelled at once
    EXPECT_THROW(co_await group.join(), std::runtime_error);
    EXPECT_TRUE(late.cancelled());
  });
}

TEST(TaskGroup, CancellingTheJoiningTaskCancelsEveryChildAndWaits) {
  run_async([]() -> Task<void> {
    bool c1 = false, c2 = false;
    auto outer = create_task([](bool& c1, bool& c2) -> Task<void> {
      TaskGroup group;
      group.spawn(sleep_recording_cancel(10s, c1));
      group.spawn(sleep_recording_cancel(10s, c2));
      co_await group.join();
    }(c1, c2));
    co_await sleep(5ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, CancelledError);
    EXPECT_TRUE(c1);
    EXPECT_TRUE(c2);
  });
}

TEST(TaskGroup, AChildCancelledFromOutsideIsNotAFailure) {
  run_async([]() -> Task<void> {
    TaskGroup group;
    auto victim = group.spawn(sleep(10s));
    auto other = group.spawn(after(10ms, 4));
    co_await sleep(1ms);
    victim.cancel();
    co_await group.join();
    EXPECT_TRUE(victim.cancelled());
    EXPECT_EQ(other.result(), 4);
  });
}

TEST(TaskGroup, SpawnAfterJoinIsAnError) {
  run_async([]() -> Task<void> {
    TaskGroup group;
    group.spawn(after(1ms, 1));
    co_await group.join();
    EXPECT_THROW(group.spawn(after(1ms, 1)), InvalidStateError);
  });
}

TEST(TaskGroup, DestroyedWithoutJoinCancelsItsChildren) {
  run_async([]() -> Task<void> {
    bool cancelled = false;
    TaskHandle<void> child;
    {
      TaskGroup group;
      child = group.spawn(sleep_recording_cancel(10s, cancelled));
      co_await sleep(1ms);
    }
    EXPECT_THROW(co_await child, CancelledError);
    EXPECT_TRUE(cancelled);
  });
}

}  // namespace
}  // namespace coio::testing
