// Task<T>, create_task and TaskHandle: asyncio's coroutines and Tasks.
#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

Task<int> set_and_return(bool& ran, int value) {
  ran = true;
  co_return value;
}

Task<int> set_and_return_const(int value) { co_return value; }

Task<int> add_one_after(int v) {
  co_await sleep(1ms);
  co_return v + 1;
}

Task<int> chain(int v) {
  int a = co_await add_one_after(v);
  int b = co_await add_one_after(a);
  co_return b;
}

Task<void> throws_logic_error() {
  co_await sleep(0ms);
  throw std::logic_error("bad");
}

Task<void> wait_event_then_flag(Event& ev, bool& after_wait, bool& cancelled_later) {
  co_await ev.wait();
  after_wait = true;
  try {
    co_await sleep(0ms);
  } catch (const CancelledError&) {
    cancelled_later = true;
    throw;
  }
}

Task<int> wait_event_then_return(Event& ev) {
  co_await ev.wait();
  co_return 5;
}

Task<int> suppress_cancel() {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
  }
  co_return 99;
}

TEST(Task, IsLazyAndRunsOnlyWhenAwaited) {
  run_async([]() -> Task<void> {
    bool ran = false;
    Task<int> t = set_and_return(ran, 3);
    co_await sleep(1ms);
    EXPECT_FALSE(ran);
    EXPECT_EQ(co_await std::move(t), 3);
    EXPECT_TRUE(ran);
  });
}

TEST(Task, ChainedCoroutinesPassValuesAlong) {
  EXPECT_EQ(run_async([]() -> Task<int> { co_return co_await chain(1); }), 3);
}

TEST(Task, ExceptionSurfacesWhereAwaited) {
  run_async([]() -> Task<void> { EXPECT_THROW(co_await throws_logic_error(), std::logic_error); });
}

TEST(Run, ReturnsMainsValueAndRethrowsMainsException) {
  EXPECT_EQ(run(add_one_after(41)), 42);
  EXPECT_THROW(run(throws_logic_error()), std::logic_error);
}

TEST(CreateTask, StartsOnALaterTurnAndRunsConcurrently) {
  run_async([]() -> Task<void> {
    bool ran = false;
    auto h = create_task(set_and_return(ran, 7));
    EXPECT_FALSE(ran);
    EXPECT_FALSE(h.done());
    co_await sleep(0ms);
    EXPECT_TRUE(ran);
    EXPECT_TRUE(h.done());
    EXPECT_EQ(co_await h, 7);
  });
}

TEST(TaskHandle, CanBeAwaitedMoreThanOnceAndCopiesShareTheTask) {
  run_async([]() -> Task<void> {
    auto h = create_task(add_one_after(1));
    TaskHandle<int> copy = h;
    EXPECT_EQ(co_await h, 2);
    EXPECT_EQ(co_await h, 2);
    EXPECT_TRUE(copy.done());
    EXPECT_EQ(co_await copy, 2);
    EXPECT_TRUE(copy == h);
  });
}

TEST(TaskHandle, HasADefaultNameOrTheOneGiven) {
  run_async([]() -> Task<void> {
    auto named = create_task(add_one_after(1), "worker-1");
    auto unnamed = create_task(add_one_after(1));
    EXPECT_EQ(named.name(), "worker-1");
    EXPECT_EQ(unnamed.name().rfind("Task-", 0), 0u) << unnamed.name();
    unnamed.set_name("renamed");
    EXPECT_EQ(unnamed.name(), "renamed");
    co_await gather(named, unnamed);
  });
}

TEST(TaskHandle, ResultThrowsInvalidStateWhileRunningThenGivesTheValue) {
  run_async([]() -> Task<void> {
    auto h = create_task(add_one_after(1));
    EXPECT_THROW(h.result(), InvalidStateError);
    co_await sleep(20ms);
    EXPECT_EQ(h.result(), 2);
    EXPECT_EQ(h.exception(), nullptr);
  });
}

TEST(TaskHandle, DoneCallbackRunsOnceAfterTheTaskEnds) {
  run_async([]() -> Task<void> {
    int calls = 0;
    auto h = create_task(add_one_after(1));
    h.add_done_callback([&](const TaskHandle<int>& done) {
      ++calls;
      EXPECT_TRUE(done.done());
    });
    co_await h;
    EXPECT_EQ(calls, 0);  // scheduled with call_soon, like asyncio
    co_await sleep(0ms);
    EXPECT_EQ(calls, 1);
    h.add_done_callback([&] { ++calls; });  // already done: runs soon
    co_await sleep(0ms);
    EXPECT_EQ(calls, 2);
  });
}

TEST(TaskHandle, TaskKeepsRunningWhenEveryHandleIsDropped) {
  run_async([]() -> Task<void> {
    bool ran = false;
    { create_task(set_and_return(ran, 1)); }
    co_await sleep(1ms);
    EXPECT_TRUE(ran);
  });
}

TEST(Cancel, AwaitingACancelledTaskThrowsCancelledError) {
  run_async([]() -> Task<void> {
    bool cancelled = false, cleaned_up = false;
    auto h = create_task(sleep_and_record(10s, cancelled, cleaned_up));
    co_await sleep(1ms);
    EXPECT_TRUE(h.cancel());
    EXPECT_THROW(co_await h, CancelledError);
    EXPECT_TRUE(h.done());
    EXPECT_TRUE(h.cancelled());
    EXPECT_TRUE(cancelled);
    EXPECT_TRUE(cleaned_up);  // its clean-up awaited before it ended
  });
}

TEST(Cancel, CancellingAFinishedTaskReturnsFalse) {
  run_async([]() -> Task<void> {
    auto h = create_task(add_one_after(1));
    co_await h;
    EXPECT_FALSE(h.cancel());
    EXPECT_FALSE(h.cancelled());
    EXPECT_EQ(co_await h, 2);
  });
}

TEST(Cancel, ATaskCancelledBeforeItStartsNeverRuns) {
  run_async([]() -> Task<void> {
    bool ran = false;
    auto h = create_task(set_and_return(ran, 1));
    EXPECT_TRUE(h.cancel());
    EXPECT_THROW(co_await h, CancelledError);
    EXPECT_FALSE(ran);
    EXPECT_TRUE(h.cancelled());
  });
}

TEST(Cancel, ATaskMaySuppressCancellationAndReturnAValue) {
  run_async([]() -> Task<void> {
    auto h = create_task(suppress_cancel());
    co_await sleep(1ms);
    EXPECT_TRUE(h.cancel());
    EXPECT_EQ(co_await h, 99);
    EXPECT_FALSE(h.cancelled());
  });
}

TEST(Cancel, IsEdgeTriggeredOneCancelOneError) {
  run_async([]() -> Task<void> {
    auto h = create_task([]() -> Task<int> {
      int caught = 0;
      try {
        co_await sleep(10s);
      } catch (const CancelledError&) {
        ++caught;
      }
      co_await sleep(1ms);  // the cancel was delivered once: this await is normal
      co_return caught;
    }());
    co_await sleep(1ms);
    h.cancel();
    h.cancel();  // a second request before delivery is the same request
    EXPECT_EQ(co_await h, 1);
  });
}

TEST(Cancel, ACancelArrivingAfterAWakeUpIsDeliveredAtTheNextAwait) {
  run_async([]() -> Task<void> {
    Event ev;
    bool after_wait = false, cancelled_later = false;
    auto h = create_task(wait_event_then_flag(ev, after_wait, cancelled_later));
    co_await sleep(0ms);
    ev.set();     // the task is queued to resume from wait()
    h.cancel();   // ... and is cancelled before it runs
    EXPECT_THROW(co_await h, CancelledError);
    EXPECT_TRUE(after_wait);       // the wait itself completed normally
    EXPECT_TRUE(cancelled_later);  // the next await threw
  });
}

TEST(Cancel, ACancelDuringTheLastStepStillEndsTheTaskCancelled) {
  run_async([]() -> Task<void> {
    Event ev;
    auto h = create_task(wait_event_then_return(ev));
    co_await sleep(0ms);
    ev.set();
    h.cancel();
    EXPECT_THROW(co_await h, CancelledError);
    EXPECT_TRUE(h.cancelled());
  });
}

TEST(Cancel, CancellingTheAwaiterOfATaskCancelsThatTaskToo) {
  run_async([]() -> Task<void> {
    bool inner_cancelled = false, cleaned_up = false;
    auto inner = create_task(sleep_and_record(10s, inner_cancelled, cleaned_up));
    auto outer = create_task([](TaskHandle<void> in) -> Task<void> { co_await in; }(inner));
    co_await sleep(1ms);
    outer.cancel();
    EXPECT_THROW(co_await outer, CancelledError);
    EXPECT_TRUE(inner.cancelled());
    EXPECT_TRUE(inner_cancelled);
  });
}

TEST(Cancel, ExceptionsInChildrenSurfaceWhereTheyAreAwaited) {
  run_async([]() -> Task<void> {
    auto h = create_task(fail_after(1ms, "child failed"));
    co_await sleep(5ms);
    EXPECT_TRUE(h.done());
    EXPECT_FALSE(h.cancelled());
    EXPECT_NE(h.exception(), nullptr);
    try {
      co_await h;
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "child failed");
    }
  });
}

TEST(Run, CancelsAndAwaitsTasksLeftRunningWhenMainReturns) {
  bool cancelled = false, cleaned_up = false;
  const auto start = Clock::now();
  run_async([&]() -> Task<void> {
    create_task(sleep_and_record(10s, cancelled, cleaned_up));
    co_await sleep(1ms);
  });
  EXPECT_TRUE(cancelled);
  EXPECT_TRUE(cleaned_up);
  EXPECT_LT(ms_since(start), 2000);
}

TEST(Run, CannotBeCalledFromInsideARunningLoop) {
  run_async([]() -> Task<void> {
    EXPECT_THROW(run(add_one_after(1)), InvalidStateError);
    co_return;
  });
}

TEST(Spawn, TenThousandTasksAllComplete) {
  int sum = run_async([]() -> Task<int> {
    std::vector<TaskHandle<int>> handles;
    for (int i = 0; i < 10000; ++i) handles.push_back(create_task(set_and_return_const(i)));
    int total = 0;
    for (int v : co_await gather(std::move(handles))) total += v;
    co_return total;
  });
  EXPECT_EQ(sum, 10000 * 9999 / 2);
}

}  // namespace
}  // namespace coio::testing
