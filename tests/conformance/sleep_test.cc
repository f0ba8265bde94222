// coio::sleep: asyncio.sleep.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

Task<void> append_after(std::chrono::milliseconds d, std::vector<int>& order, int id) {
  co_await sleep(d);
  order.push_back(id);
}

Task<void> append_yielding(std::vector<std::string>& order, std::string name) {
  for (int i = 0; i < 2; ++i) {
    order.push_back(name + std::to_string(i));
    co_await sleep(0ms);
  }
}

TEST(Sleep, WaitsAtLeastTheDuration) {
  run_async([]() -> Task<void> {
    auto start = Clock::now();
    co_await sleep(50ms);
    EXPECT_GE(ms_since(start), 50.0);
    EXPECT_LT(ms_since(start), 1000.0);
  });
}

TEST(Sleep, ZeroYieldsToOtherReadyTasksOnce) {
  run_async([]() -> Task<void> {
    std::vector<std::string> order;
    co_await gather(append_yielding(order, "a"), append_yielding(order, "b"));
    EXPECT_EQ(order, (std::vector<std::string>{"a0", "b0", "a1", "b1"}));
  });
}

TEST(Sleep, NegativeDurationReturnsLikeZero) {
  run_async([]() -> Task<void> {
    auto start = Clock::now();
    co_await sleep(-5s);
    EXPECT_LT(ms_since(start), 100.0);
  });
}

TEST(Sleep, AcceptsAbslDuration) {
  run_async([]() -> Task<void> {
    auto start = Clock::now();
    co_await sleep(absl::Milliseconds(20));
    EXPECT_GE(ms_since(start), 20.0);
  });
}

TEST(Sleep, TimersFireInDeadlineOrder) {
  run_async([]() -> Task<void> {
    std::vector<int> order;
    co_await gather(append_after(30ms, order, 3), append_after(10ms, order, 1), append_after(20ms, order, 2),
                    append_after(10ms, order, 11));
    EXPECT_EQ(order, (std::vector<int>{1, 11, 2, 3}));
  });
}

TEST(Sleep, CancellingASleepingTaskEndsItPromptly) {
  run_async([]() -> Task<void> {
    auto h = create_task(sleep(10s));
    co_await sleep(1ms);
    auto start = Clock::now();
    h.cancel();
    EXPECT_THROW(co_await h, CancelledError);
    EXPECT_LT(ms_since(start), 100.0);
  });
}

TEST(Sleep, TenThousandConcurrentSleepsAllEnd) {
  run_async([]() -> Task<void> {
    std::vector<Task<void>> sleeps;
    for (int i = 0; i < 10000; ++i) sleeps.push_back(sleep(std::chrono::milliseconds(i % 20)));
    auto start = Clock::now();
    auto results = co_await gather(std::move(sleeps));
    EXPECT_EQ(results.size(), 10000u);
    EXPECT_LT(ms_since(start), 2000.0);
  });
}

}  // namespace
}  // namespace coio::testing
