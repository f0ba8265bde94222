// coio::wait, wait_for and as_completed: asyncio.wait, wait_for, as_completed.
#include <stdexcept>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

Task<int> ignore_cancel_and_return(int v) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
  }
  co_return v;
}

Task<int> set_flag_and_return(bool& ran, int v) {
  ran = true;
  co_return v;
}

std::vector<TaskHandle<int>> start(std::vector<Task<int>> tasks) {
  std::vector<TaskHandle<int>> handles;
  for (auto& t : tasks) handles.push_back(create_task(std::move(t)));
  return handles;
}

std::vector<Task<int>> delays(std::initializer_list<int> ms) {
  std::vector<Task<int>> tasks;
  for (int d : ms) tasks.push_back(after(std::chrono::milliseconds(d), d));
  return tasks;
}

TEST(Wait, AllCompletedWaitsForEveryTask) {
  run_async([]() -> Task<void> {
    auto handles = start(delays({5, 1, 10}));
    auto result = co_await wait(handles);
    EXPECT_EQ(result.done.size(), 3u);
    EXPECT_TRUE(result.pending.empty());
  });
}

TEST(Wait, FirstCompletedReturnsEarlyAndCancelsNothing) {
  run_async([]() -> Task<void> {
    auto handles = start(delays({1, 200, 300}));
    auto [done, pending] = co_await wait(handles, ReturnWhen::kFirstCompleted);
    EXPECT_EQ(done.size(), 1u);
    EXPECT_EQ(pending.size(), 2u);
    EXPECT_EQ(co_await done[0], 1);
    for (auto& h : pending) EXPECT_FALSE(h.done());
    for (auto& h : pending) co_await h;  // still running, not cancelled
    for (auto& h : pending) EXPECT_FALSE(h.cancelled());
  });
}

TEST(Wait, FirstExceptionReturnsOnTheFirstFailure) {
  run_async([]() -> Task<void> {
    std::vector<TaskHandle<int>> handles{create_task(after(500ms, 1)), create_task(fail_after(5ms, "x")),
                                         create_task(after(1ms, 2))};
    auto start_time = Clock::now();
    auto [done, pending] = co_await wait(handles, ReturnWhen::kFirstException);
    EXPECT_LT(ms_since(start_time), 400.0);
    EXPECT_EQ(done.size(), 2u);
    EXPECT_EQ(pending.size(), 1u);
    for (auto& h : pending) h.cancel();
  });
}

TEST(Wait, FirstExceptionWithoutFailuresWaitsForAll) {
  run_async([]() -> Task<void> {
    auto handles = start(delays({1, 5, 10}));
    auto result = co_await wait(handles, ReturnWhen::kFirstException);
    EXPECT_EQ(result.done.size(), 3u);
  });
}

TEST(Wait, TimeoutReturnsWhatIsDoneAndLeavesTheRestRunning) {
  run_async([]() -> Task<void> {
    auto handles = start(delays({1, 300}));
    auto start_time = Clock::now();
    auto [done, pending] = co_await wait(handles, ReturnWhen::kAllCompleted, 30ms);
    EXPECT_GE(ms_since(start_time), 29.0);
    EXPECT_LT(ms_since(start_time), 250.0);
    EXPECT_EQ(done.size(), 1u);
    EXPECT_EQ(pending.size(), 1u);
    EXPECT_EQ(co_await pending[0], 300);
  });
}

TEST(Wait, ATimeoutOfZeroReturnsAtOnce) {
  run_async([]() -> Task<void> {
    auto handles = start(delays({0, 100}));
    co_await sleep(5ms);
    auto [done, pending] = co_await wait(handles, ReturnWhen::kAllCompleted, 0ms);
    EXPECT_EQ(done.size(), 1u);
    EXPECT_EQ(pending.size(), 1u);
    pending[0].cancel();
  });
}

TEST(Wait, AnEmptySetIsAnError) {
  run_async([]() -> Task<void> {
    EXPECT_THROW(co_await wait(std::vector<TaskHandle<int>>{}), std::invalid_argument);
  });
}

TEST(Wait, CancellingTheWaiterDoesNotCancelTheTasks) {
  run_async([]() -> Task<void> {
    auto handles = start(delays({50}));
    auto waiter = create_task(wait(handles));
    co_await sleep(1ms);
    waiter.cancel();
    EXPECT_THROW(co_await waiter, CancelledError);
    EXPECT_EQ(co_await handles[0], 50);
  });
}

TEST(WaitFor, ReturnsTheValueWhenInTime) {
  run_async([]() -> Task<void> { EXPECT_EQ(co_await wait_for(after(1ms, 5), 1s), 5); });
}

TEST(WaitFor, OnTimeoutCancelsTheInnerTaskFirstThenThrowsTimeoutError) {
  run_async([]() -> Task<void> {
    bool cancelled = false, cleaned_up = false;
    auto start_time = Clock::now();
    EXPECT_THROW(co_await wait_for(sleep_and_record(10s, cancelled, cleaned_up), 20ms), TimeoutError);
    EXPECT_TRUE(cancelled);
    EXPECT_TRUE(cleaned_up);  // the inner task ended before TimeoutError
    EXPECT_GE(ms_since(start_time), 19.0);
    EXPECT_LT(ms_since(start_time), 500.0);
  });
}

TEST(WaitFor, ATimeoutOfZeroCancelsAtOnceAndTheTaskNeverRuns) {
  run_async([]() -> Task<void> {
    bool ran = false;
    EXPECT_THROW(co_await wait_for(set_flag_and_return(ran, 1), 0s), TimeoutError);
    EXPECT_FALSE(ran);
  });
}

TEST(WaitFor, ANegativeTimeoutActsLikeZero) {
  run_async([]() -> Task<void> {
    bool ran = false;
    EXPECT_THROW(co_await wait_for(set_flag_and_return(ran, 1), -1s), TimeoutError);
    EXPECT_FALSE(ran);
  });
}

TEST(WaitFor, ATaskHandleThatTimesOutIsCancelled) {
  run_async([]() -> Task<void> {
    auto h = create_task(after(10s, 1));
    EXPECT_THROW(co_await wait_for(h, 10ms), TimeoutError);
    EXPECT_TRUE(h.cancelled());
  });
}

TEST(WaitFor, ADoneHandleReturnsItsValueEvenWithZeroTimeout) {
  run_async([]() -> Task<void> {
    auto h = create_task(after(0ms, 8));
    co_await h;
    EXPECT_EQ(co_await wait_for(h, 0s), 8);
  });
}

TEST(WaitFor, PropagatesTheInnerException) {
  run_async([]() -> Task<void> { EXPECT_THROW(co_await wait_for(fail_after(1ms, "inner"), 1s), std::runtime_error); });
}

TEST(WaitFor, AnInnerTaskThatIgnoresTheCancelGivesItsResult) {
  run_async([]() -> Task<void> { EXPECT_EQ(co_await wait_for(ignore_cancel_and_return(3), 5ms), 3); });
}

TEST(WaitFor, CancellingTheCallerCancelsTheInnerTaskAndWaitsForIt) {
  run_async([]() -> Task<void> {
    bool cancelled = false, cleaned_up = false;
    auto outer = create_task([](bool& cancelled, bool& cleaned_up) -> Task<void> {
      co_await wait_for(sleep_and_record(10s, cancelled, cleaned_up), 10s);
    }(cancelled, cleaned_up));
    co_await sleep(5ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, CancelledError);
    EXPECT_TRUE(cleaned_up);
  });
}

TEST(WaitFor, WorksOnAwaitersSuchAsEventWait) {
  run_async([]() -> Task<void> {
    Event ev;
    EXPECT_THROW(co_await wait_for(ev.wait(), 5ms), TimeoutError);
    ev.set();
    co_await wait_for(ev.wait(), 5ms);
  });
}

TEST(WaitFor, AcceptsAbslDuration) {
  run_async([]() -> Task<void> { EXPECT_THROW(co_await wait_for(after(1s, 1), absl::Milliseconds(5)), TimeoutError); });
}

TEST(AsCompleted, YieldsHandlesInTheOrderTheyEnd) {
  run_async([]() -> Task<void> {
    auto handles = start(delays({30, 10, 20}));
    std::vector<int> order;
    auto gen = as_completed(handles);
    while (auto h = co_await gen.next()) order.push_back(co_await *h);
    const std::vector<int> expected{10, 20, 30};
    EXPECT_EQ(order, expected);
  });
}

TEST(AsCompleted, StoppingEarlyLeavesTheOtherTasksRunning) {
  run_async([]() -> Task<void> {
    auto handles = start(delays({1, 50}));
    {
      auto gen = as_completed(handles);
      auto first = co_await gen.next();
      EXPECT_EQ(co_await *first, 1);
    }
    EXPECT_EQ(co_await handles[1], 50);
  });
}

}  // namespace
}  // namespace coio::testing
