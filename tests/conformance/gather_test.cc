// coio::gather: asyncio.gather, structured (no child outlives the call).
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

Task<int> record_start(std::vector<int>& starts, int id) {
  starts.push_back(id);
  co_await sleep(1ms);
  co_return id;
}

TEST(Gather, ReturnsResultsInArgumentOrder) {
  run_async([]() -> Task<void> {
    auto [a, b, c] = co_await gather(after(30ms, 1), after(10ms, std::string("two")), after(20ms, 3.0));
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, "two");
    EXPECT_EQ(c, 3.0);
  });
}

TEST(Gather, StartsChildrenInArgumentOrder) {
  run_async([]() -> Task<void> {
    std::vector<int> starts;
    co_await gather(record_start(starts, 1), record_start(starts, 2), record_start(starts, 3));
    EXPECT_EQ(starts, (std::vector<int>{1, 2, 3}));
  });
}

TEST(Gather, RunsChildrenConcurrently) {
  run_async([]() -> Task<void> {
    auto start = Clock::now();
    co_await gather(sleep(100ms), sleep(100ms), sleep(100ms));
    EXPECT_LT(ms_since(start), 250.0);
  });
}

TEST(Gather, VoidResultsBecomeMonostate) {
  run_async([]() -> Task<void> {
    auto [a, b] = co_await gather(sleep(1ms), after(1ms, 5));
    static_assert(std::is_same_v<decltype(a), std::monostate>);
    EXPECT_EQ(b, 5);
  });
}

TEST(Gather, AcceptsTasksHandlesAndAwaitersMixed) {
  run_async([]() -> Task<void> {
    Event ev;
    auto h = create_task(after(5ms, 2));
    auto setter = create_task([](Event& e) -> Task<void> {
      co_await sleep(5ms);
      e.set();
    }(ev));
    auto [a, b, c] = co_await gather(after(1ms, 1), h, ev.wait());
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, 2);
    EXPECT_EQ(co_await h, 2);  // a handle stays awaitable after gather
    co_await setter;
  });
}

TEST(Gather, VectorOfTasksAndVectorOfHandles) {
  run_async([]() -> Task<void> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(after(std::chrono::milliseconds(5 - i), i));
    // (Results go to locals first: g++ 12 miscompiles an initializer list
    // in the same full-expression as a co_await.)
    std::vector<int> from_tasks = co_await gather(std::move(tasks));
    const std::vector<int> expected_tasks{0, 1, 2, 3, 4};
    EXPECT_EQ(from_tasks, expected_tasks);

    std::vector<TaskHandle<int>> handles;
    for (int i = 0; i < 5; ++i) handles.push_back(create_task(after(std::chrono::milliseconds(i), i * 10)));
    std::vector<int> from_handles = co_await gather(handles);
    const std::vector<int> expected_handles{0, 10, 20, 30, 40};
    EXPECT_EQ(from_handles, expected_handles);
    std::vector<int> none = co_await gather(std::vector<Task<int>>{});
    EXPECT_TRUE(none.empty());
  });
}

TEST(Gather, CancelsSiblingsOnFirstExceptionThenRethrows) {
  run_async([]() -> Task<void> {
    bool cancelled = false, cleaned_up = false;
    auto sibling = create_task(sleep_and_record(10s, cancelled, cleaned_up));
    auto start = Clock::now();
    try {
      co_await gather(fail_after(5ms, "first"), sibling, fail_after(50ms, "second"));
      ADD_FAILURE() << "gather did not throw";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "first");
    }
    EXPECT_LT(ms_since(start), 1000.0);
    // No child outlives the call: the sibling ended, after its clean-up.
    EXPECT_TRUE(sibling.done());
    EXPECT_TRUE(sibling.cancelled());
    EXPECT_TRUE(cancelled);
    EXPECT_TRUE(cleaned_up);
  });
}

TEST(Gather, ACancelledChildCountsAsAnException) {
  run_async([]() -> Task<void> {
    auto victim = create_task(sleep(10s));
    auto canceller = create_task([](TaskHandle<void> v) -> Task<void> {
      co_await sleep(5ms);
      v.cancel();
    }(victim));
    EXPECT_THROW(co_await gather(victim, after(1s, 1)), CancelledError);
    co_await canceller;
  });
}

TEST(Gather, CancellingTheGatheringTaskCancelsEveryChildAndWaitsForThem) {
  run_async([]() -> Task<void> {
    bool c1 = false, u1 = false, c2 = false, u2 = false;
    auto outer = create_task([](bool& c1, bool& u1, bool& c2, bool& u2) -> Task<void> {
      co_await gather(sleep_and_record(10s, c1, u1), sleep_and_record(10s, c2, u2));
    }(c1, u1, c2, u2));
    co_await sleep(5ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, CancelledError);
    EXPECT_TRUE(c1 && u1 && c2 && u2);  // both cleaned up before gather returned
  });
}

TEST(Gather, ReturnExceptionsCollectsValuesAndErrorsWithoutCancelling) {
  run_async([]() -> Task<void> {
    auto [a, b, c] = co_await gather(return_exceptions, after(20ms, 1), fail_after(1ms, "oops"), sleep(10ms));
    EXPECT_TRUE(a.ok());
    EXPECT_EQ(a.value(), 1);
    EXPECT_FALSE(b.ok());
    EXPECT_THROW(b.value(), std::runtime_error);
    EXPECT_EQ(b.status().code(), absl::StatusCode::kUnknown);
    EXPECT_TRUE(c.ok());

    std::vector<Task<int>> tasks;
    tasks.push_back(after(1ms, 7));
    tasks.push_back(fail_after(1ms, "bad"));
    auto results = co_await gather(return_exceptions, std::move(tasks));
    if (results.size() != 2u) { ADD_FAILURE() << "size " << results.size(); co_return; }
    EXPECT_EQ(results[0].value(), 7);
    EXPECT_NE(results[1].error(), nullptr);
  });
}

TEST(Gather, ReturnExceptionsReportsCancelledChildrenAsCancelled) {
  run_async([]() -> Task<void> {
    auto victim = create_task(sleep(10s));
    victim.cancel();
    auto [r] = co_await gather(return_exceptions, victim);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
  });
}

}  // namespace
}  // namespace coio::testing
