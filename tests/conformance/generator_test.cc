// AsyncGenerator and for_each: async generators and `async for`.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

using ::testing::ElementsAre;

AsyncGenerator<int> count_to(int n) {
  for (int i = 0; i < n; ++i) co_yield i;
}

AsyncGenerator<int> ticks(int n, std::chrono::milliseconds every) {
  for (int i = 0; i < n; ++i) {
    co_await sleep(every);
    co_yield i;
  }
}

AsyncGenerator<int> one_then_throw() {
  co_yield 1;
  throw std::runtime_error("generator failed");
}

AsyncGenerator<int> empty_generator() { co_return; }

// Counts its live instances, to see a generator's frame being destroyed.
struct Tracked {
  explicit Tracked(int& live) : live_(live) { ++live_; }
  ~Tracked() { --live_; }
  int& live_;
};

AsyncGenerator<std::string> tracked_forever(int& live) {
  Tracked tracked(live);
  auto heap = std::make_unique<std::string>("frame-owned heap data");
  for (int i = 0;; ++i) co_yield *heap + " " + std::to_string(i);
}

AsyncGenerator<int> tracked_slow(int& live) {
  Tracked tracked(live);
  co_yield 0;
  co_await sleep(10s);
  co_yield 1;
}

AsyncGenerator<std::unique_ptr<int>> boxes(int n) {
  for (int i = 0; i < n; ++i) co_yield std::make_unique<int>(i * 10);
}

struct ConsumerProbe {
  std::vector<int> values;
  bool saw_cancelled_error = false;
};

Task<void> consume_slow(ConsumerProbe& probe, int& live) {
  auto gen = tracked_slow(live);
  try {
    while (auto v = co_await gen.next()) probe.values.push_back(*v);
  } catch (const CancelledError&) {
    probe.saw_cancelled_error = true;
    throw;
  }
}

TEST(AsyncGenerator, NextYieldsValuesInOrderThenNullopt) {
  run_async([]() -> Task<void> {
    auto gen = count_to(3);
    std::vector<int> got;
    while (auto v = co_await gen.next()) got.push_back(*v);
    EXPECT_THAT(got, ElementsAre(0, 1, 2));
    // An exhausted generator keeps saying so.
    EXPECT_EQ(co_await gen.next(), std::nullopt);
    EXPECT_EQ(co_await gen.next(), std::nullopt);
  });
}

TEST(AsyncGenerator, RunsOnlyWhenTheConsumerAsksForAValue) {
  run_async([]() -> Task<void> {
    int started = 0;
    auto gen = [](int& started) -> AsyncGenerator<int> {
      ++started;
      co_yield 1;
      ++started;
    }(started);
    co_await sleep(1ms);
    EXPECT_EQ(started, 0);  // lazy, like a Task
    EXPECT_EQ(co_await gen.next(), 1);
    EXPECT_EQ(started, 1);
    EXPECT_EQ(co_await gen.next(), std::nullopt);
    EXPECT_EQ(started, 2);
  });
}

TEST(AsyncGenerator, IteratesWithBeginEndAndCoAwaitIncrement) {
  run_async([]() -> Task<void> {
    auto gen = count_to(4);
    std::vector<int> got;
    for (auto it = co_await gen.begin(); it != gen.end(); co_await ++it) got.push_back(*it);
    EXPECT_THAT(got, ElementsAre(0, 1, 2, 3));
  });
}

TEST(AsyncGenerator, BeginOfAnEmptyGeneratorIsEnd) {
  run_async([]() -> Task<void> {
    auto gen = empty_generator();
    auto it = co_await gen.begin();
    EXPECT_TRUE(it == gen.end());
    EXPECT_EQ(co_await gen.next(), std::nullopt);
  });
}

TEST(AsyncGenerator, ForEachCallsAVoidFunctionOnEveryValue) {
  run_async([]() -> Task<void> {
    std::vector<int> got;
    co_await for_each(count_to(5), [&](int v) { got.push_back(v); });
    EXPECT_THAT(got, ElementsAre(0, 1, 2, 3, 4));
  });
}

TEST(AsyncGenerator, ForEachAwaitsATaskFunctionBeforeTheNextValue) {
  run_async([]() -> Task<void> {
    std::vector<std::string> log;
    auto gen = [](std::vector<std::string>& log) -> AsyncGenerator<int> {
      for (int i = 0; i < 3; ++i) {
        log.push_back("yield " + std::to_string(i));
        co_yield i;
      }
    }(log);
    // The lambda object lives in for_each's frame while its Tasks run.
    co_await for_each(std::move(gen), [&log](int v) -> Task<void> {
      co_await sleep(1ms);
      log.push_back("handled " + std::to_string(v));
    });
    EXPECT_THAT(log, ElementsAre("yield 0", "handled 0", "yield 1", "handled 1", "yield 2", "handled 2"));
  });
}

TEST(AsyncGenerator, AnExceptionThrownByTheGeneratorSurfacesAtNext) {
  run_async([]() -> Task<void> {
    auto gen = one_then_throw();
    EXPECT_EQ(co_await gen.next(), 1);
    try {
      co_await gen.next();
      ADD_FAILURE() << "next() did not rethrow the generator's exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "generator failed");
    }
    // The generator has ended.
    EXPECT_EQ(co_await gen.next(), std::nullopt);
  });
}

TEST(AsyncGenerator, AnExceptionSurfacesThroughForEach) {
  run_async([]() -> Task<void> {
    std::vector<int> got;
    EXPECT_THROW(co_await for_each(one_then_throw(), [&](int v) { got.push_back(v); }), std::runtime_error);
    EXPECT_THAT(got, ElementsAre(1));
  });
}

TEST(AsyncGenerator, MaySleepBetweenYields) {
  run_async([]() -> Task<void> {
    const auto start = Clock::now();
    auto gen = ticks(3, 5ms);
    std::vector<int> got;
    while (auto v = co_await gen.next()) got.push_back(*v);
    EXPECT_THAT(got, ElementsAre(0, 1, 2));
    const double elapsed = ms_since(start);
    EXPECT_GE(elapsed, 15.0);
    EXPECT_LT(elapsed, 500.0);
  });
}

TEST(AsyncGenerator, OtherTasksRunWhileTheGeneratorSleeps) {
  run_async([]() -> Task<void> {
    int ticks_seen = 0;
    auto other = create_task([](int& n) -> Task<void> {
      for (int i = 0; i < 5; ++i) {
        co_await sleep(1ms);
        ++n;
      }
    }(ticks_seen));
    auto gen = ticks(1, 100ms);
    EXPECT_EQ(co_await gen.next(), 0);
    EXPECT_EQ(ticks_seen, 5);
    co_await other;
  });
}

TEST(AsyncGenerator, DestroyingItMidwayReleasesItsFrame) {
  run_async([]() -> Task<void> {
    int live = 0;
    {
      auto gen = tracked_forever(live);
      int taken = 0;
      for (auto it = co_await gen.begin(); it != gen.end(); co_await ++it) {
        EXPECT_THAT(*it, ::testing::StartsWith("frame-owned heap data"));
        if (++taken == 2) break;
      }
      EXPECT_EQ(live, 1);
    }  // destroyed while suspended at a co_yield
    EXPECT_EQ(live, 0);

    // Destroying one that never ran is fine too.
    { auto never_started = tracked_forever(live); }
    EXPECT_EQ(live, 0);
  });
}

TEST(AsyncGenerator, CancellingTheConsumerWhileTheGeneratorSleepsThrowsCancelledError) {
  int live = 0;
  ConsumerProbe probe;
  run_async([&]() -> Task<void> {
    auto consumer = create_task(consume_slow(probe, live));
    co_await sleep(5ms);  // the consumer has value 0 and waits in next()
    EXPECT_THAT(probe.values, ElementsAre(0));
    const auto start = Clock::now();
    EXPECT_TRUE(consumer.cancel());
    EXPECT_THROW(co_await consumer, CancelledError);
    EXPECT_LT(ms_since(start), 500.0);
    EXPECT_TRUE(consumer.cancelled());
  });
  EXPECT_TRUE(probe.saw_cancelled_error);
  EXPECT_EQ(live, 0);
}

TEST(AsyncGenerator, YieldsMoveOnlyValues) {
  run_async([]() -> Task<void> {
    auto gen = boxes(3);
    std::vector<int> got;
    while (std::optional<std::unique_ptr<int>> v = co_await gen.next()) {
      std::unique_ptr<int> box = std::move(*v);
      EXPECT_NE(box, nullptr);
      if (box) got.push_back(*box);
    }
    EXPECT_THAT(got, ElementsAre(0, 10, 20));
  });
}

TEST(AsyncGenerator, ForEachPassesMoveOnlyValuesByReference) {
  run_async([]() -> Task<void> {
    std::vector<int> got;
    co_await for_each(boxes(2), [&](const std::unique_ptr<int>& box) { got.push_back(*box); });
    EXPECT_THAT(got, ElementsAre(0, 10));
  });
}

}  // namespace
}  // namespace coio::testing
