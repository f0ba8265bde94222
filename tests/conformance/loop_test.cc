// Loop: the event loop's own API (call_soon, call_later, call_soon_threadsafe,
// time), coio::run's contract, and debug mode's reports.
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

Task<int> answer() {
  co_await sleep(1ms);
  co_return 42;
}

// Sleeps far longer than any test; records the CancelledError it gets.
Task<void> sleep_long(bool& saw_cancel, bool& cleaned_up) {
  try {
    co_await sleep(10s);
  } catch (const CancelledError&) {
    saw_cancel = true;
  }
  if (saw_cancel) {
    co_await sleep(5ms);  // clean-up that awaits, after the handler
    cleaned_up = true;
    throw CancelledError();
  }
}

TEST(Loop, CurrentOutsideRunThrowsInvalidStateError) {
  EXPECT_THROW(Loop::current(), InvalidStateError);
  EXPECT_EQ(Loop::current_or_null(), nullptr);
  run_async([]() -> Task<void> {
    Loop* loop = &Loop::current();
    EXPECT_EQ(Loop::current_or_null(), loop);
    co_await sleep(1ms);
    EXPECT_EQ(&Loop::current(), loop);
  });
  // And again once run has returned.
  EXPECT_THROW(Loop::current(), InvalidStateError);
}

TEST(Loop, CallSoonRunsCallbacksInFifoOrderOnALaterTurn) {
  run_async([]() -> Task<void> {
    auto& loop = Loop::current();
    std::vector<int> order;
    for (int i = 1; i <= 5; ++i) loop.call_soon([&order, i] { order.push_back(i); });
    EXPECT_TRUE(order.empty());  // never run synchronously
    co_await sleep(0ms);         // one turn: callbacks scheduled before us run first
    EXPECT_THAT(order, ElementsAre(1, 2, 3, 4, 5));
  });
}

TEST(Loop, CallLaterFiresAfterItsDelay) {
  run_async([]() -> Task<void> {
    auto& loop = Loop::current();
    const auto start = Clock::now();
    double fired_after = -1;
    loop.call_later(20ms, [&] { fired_after = ms_since(start); });
    co_await sleep(5ms);
    EXPECT_LT(fired_after, 0);  // not yet
    while (fired_after < 0 && ms_since(start) < 1000) co_await sleep(2ms);
    EXPECT_GE(fired_after, 20.0);
    EXPECT_LT(fired_after, 500.0);
  });
}

TEST(Loop, CallLaterCallbacksFireInDeadlineOrder) {
  run_async([]() -> Task<void> {
    auto& loop = Loop::current();
    std::vector<int> order;
    loop.call_later(30ms, [&] { order.push_back(3); });
    loop.call_later(10ms, [&] { order.push_back(1); });
    loop.call_later(20ms, [&] { order.push_back(2); });
    loop.call_later(-5ms, [&] { order.push_back(0); });  // negative: due now
    const auto start = Clock::now();
    while (order.size() < 4 && ms_since(start) < 1000) co_await sleep(2ms);
    EXPECT_THAT(order, ElementsAre(0, 1, 2, 3));
  });
}

TEST(Loop, CancelledCallbackDoesNotRunAndCancelReturnsFalseTheSecondTime) {
  run_async([]() -> Task<void> {
    auto& loop = Loop::current();
    bool soon_ran = false;
    bool later_ran = false;
    CallbackHandle soon = loop.call_soon([&] { soon_ran = true; });
    CallbackHandle later = loop.call_later(5ms, [&] { later_ran = true; });
    EXPECT_FALSE(soon.cancelled());
    EXPECT_TRUE(soon.cancel());
    EXPECT_TRUE(soon.cancelled());
    EXPECT_FALSE(soon.cancel());
    CallbackHandle copy = later;  // a copy refers to the same callback
    EXPECT_TRUE(copy.cancel());
    EXPECT_TRUE(later.cancelled());
    EXPECT_FALSE(later.cancel());
    co_await sleep(20ms);
    EXPECT_FALSE(soon_ran);
    EXPECT_FALSE(later_ran);
  });
}

TEST(Loop, CallAtFiresManyCallbacksInDeadlineOrderSkippingCancelledOnes) {
  struct Fired {
    int delay_ms;
    int seq;
  };
  constexpr int kCount = 200;
  std::vector<Fired> fired;
  run_async([&]() -> Task<void> {
    auto& loop = Loop::current();
    const auto base = loop.now() + 5ms;
    std::vector<CallbackHandle> handles;
    for (int i = 0; i < kCount; ++i) {
      const int delay = (i * 37) % 41;  // scattered deadlines, with repeats
      handles.push_back(loop.call_at(base + std::chrono::milliseconds(delay), [&fired, delay, i] {
        fired.push_back({delay, i});
      }));
    }
    int expected = kCount;
    for (int i = 0; i < kCount; i += 7) {
      EXPECT_TRUE(handles[i].cancel());
      --expected;
    }
    const auto start = Clock::now();
    while (static_cast<int>(fired.size()) < expected && ms_since(start) < 2000) co_await sleep(2ms);
    co_await sleep(10ms);
    EXPECT_EQ(static_cast<int>(fired.size()), expected);
  });
  for (std::size_t k = 0; k < fired.size(); ++k) {
    EXPECT_NE(fired[k].seq % 7, 0) << "cancelled callback " << fired[k].seq << " ran";
    if (k == 0) continue;
    const Fired& a = fired[k - 1];
    const Fired& b = fired[k];
    // Deadline order; equal deadlines in the order they were scheduled.
    EXPECT_TRUE(a.delay_ms < b.delay_ms || (a.delay_ms == b.delay_ms && a.seq < b.seq))
        << "callback " << a.seq << " (+" << a.delay_ms << " ms) ran before " << b.seq << " (+" << b.delay_ms << " ms)";
  }
}

TEST(Loop, CancelAfterTheDeadlinePassedButBeforeTheCallbackRanPreventsIt) {
  run_async([]() -> Task<void> {
    auto& loop = Loop::current();
    bool ran = false;
    CallbackHandle h = loop.call_later(1ms, [&] { ran = true; });
    std::this_thread::sleep_for(10ms);  // the deadline passes with the loop busy
    co_await sleep(0ms);                // our wake-up is queued ahead of the due callback
    EXPECT_FALSE(ran);
    EXPECT_TRUE(h.cancel());
    co_await sleep(5ms);
    EXPECT_FALSE(ran);
    EXPECT_FALSE(h.cancel());
  });
}

TEST(Loop, CancelAfterTheCallbackRanReturnsFalse) {
  run_async([]() -> Task<void> {
    auto& loop = Loop::current();
    int runs = 0;
    CallbackHandle soon = loop.call_soon([&] { ++runs; });
    CallbackHandle later = loop.call_later(1ms, [&] { ++runs; });
    const auto start = Clock::now();
    while (runs < 2 && ms_since(start) < 1000) co_await sleep(1ms);
    EXPECT_EQ(runs, 2);
    EXPECT_FALSE(soon.cancel());
    EXPECT_FALSE(later.cancel());
    EXPECT_FALSE(soon.cancelled());
    EXPECT_FALSE(later.cancelled());
  });
}

TEST(Loop, AnExceptionFromACallbackIsReportedAndTheLoopGoesOn) {
  ::testing::internal::CaptureStderr();
  bool later_ran = false;
  run_async([&]() -> Task<void> {
    auto& loop = Loop::current();
    loop.call_soon([] { throw std::runtime_error("callback failed"); });
    loop.call_soon([&] { later_ran = true; });
    co_await sleep(1ms);
  });
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(later_ran);
  EXPECT_THAT(err, HasSubstr("callback failed"));
}

TEST(Loop, CallbackHandleMayOutliveTheLoop) {
  CallbackHandle pending;
  CallbackHandle done;
  run_async([&]() -> Task<void> {
    pending = Loop::current().call_later(10s, [] {});
    done = Loop::current().call_soon([] {});
    co_await sleep(1ms);
  });
  // Dropping the handles after run returned frees the callbacks (ASan).
  pending = CallbackHandle();
  done = CallbackHandle();
}

TEST(Loop, CallSoonThreadsafeFromSeveralThreadsDeliversEveryCallOnTheLoopThread) {
  constexpr int kThreads = 4;
  constexpr int kCallsPerThread = 1000;
  // Touched by the callbacks only, so only on the loop thread. Declared out
  // here so that calls still queued if the test fails find them alive.
  int delivered = 0;
  int off_loop_thread = 0;
  int out_of_order = 0;
  std::vector<int> last(kThreads, -1);
  std::thread::id loop_thread;
  run_async([&]() -> Task<void> {
    auto& loop = Loop::current();
    loop_thread = std::this_thread::get_id();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kCallsPerThread; ++i) {
          loop.call_soon_threadsafe([&, t, i] {
            ++delivered;
            if (std::this_thread::get_id() != loop_thread) ++off_loop_thread;
            if (i != last[t] + 1) ++out_of_order;  // FIFO per sending thread
            last[t] = i;
          });
        }
      });
    }
    const auto start = Clock::now();
    while (delivered < kThreads * kCallsPerThread && ms_since(start) < 5000) co_await sleep(1ms);
    for (auto& thread : threads) thread.join();
    co_await sleep(1ms);
  });
  EXPECT_EQ(delivered, kThreads * kCallsPerThread);
  EXPECT_EQ(off_loop_thread, 0);
  EXPECT_EQ(out_of_order, 0);
}

TEST(Loop, CallSoonThreadsafeWakesALoopWithNothingElseToDo) {
  run_async([]() -> Task<void> {
    auto& loop = Loop::current();
    Event posted;
    const auto start = Clock::now();
    std::thread poster([&loop, &posted] {
      std::this_thread::sleep_for(50ms);
      loop.call_soon_threadsafe([&posted] { posted.set(); });
    });
    // The loop now blocks in its backend: only the 2 s deadline is pending.
    bool timed_out = false;
    try {
      co_await wait_for(posted.wait(), 2s);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    const double elapsed = ms_since(start);
    poster.join();
    EXPECT_FALSE(timed_out);
    EXPECT_GE(elapsed, 50.0);
    EXPECT_LT(elapsed, 1000.0);
  });
}

TEST(Loop, TimeIsMonotonicAndAdvancesWithSleep) {
  run_async([]() -> Task<void> {
    auto& loop = Loop::current();
    bool monotonic = true;
    double prev = loop.time();
    for (int i = 0; i < 10000; ++i) {
      const double t = loop.time();
      if (t < prev) monotonic = false;
      prev = t;
    }
    EXPECT_TRUE(monotonic);
    const double t0 = loop.time();
    co_await sleep(20ms);
    const double t1 = loop.time();
    EXPECT_GE(t1 - t0, 0.020 - 1e-6);
    EXPECT_LT(t1 - t0, 1.0);
  });
}

TEST(Loop, RunReturnsMainsValue) {
  EXPECT_EQ(coio::run(answer()), 42);
  EXPECT_EQ(coio::run(answer), 42);  // the callable form: run(amain)
  EXPECT_EQ(coio::run(after(1ms, std::string("done"))), "done");
}

TEST(Loop, RunRethrowsMainsException) {
  try {
    coio::run(fail_after(1ms, "main failed"));
    ADD_FAILURE() << "run did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "main failed");
  }
}

TEST(Loop, RunCancelsTasksLeftRunningWhenMainReturns) {
  bool saw_cancel = false;
  bool cleaned_up = false;
  const auto start = Clock::now();
  int result = run_async([&]() -> Task<int> {
    create_task(sleep_long(saw_cancel, cleaned_up), "leftover");
    co_await sleep(1ms);  // the leftover is now asleep for 10 s
    co_return 7;
  });
  EXPECT_EQ(result, 7);
  EXPECT_TRUE(saw_cancel);
  EXPECT_TRUE(cleaned_up);  // run waited for its clean-up too
  EXPECT_LT(ms_since(start), 1000.0);
}

// --- debug mode ----------------------------------------------------------

// Runs `body` with stderr captured and returns what was written to it.
template <class F>
std::string stderr_of_run(F body, bool debug) {
  RunOptions options;
  options.debug = debug;
  ::testing::internal::CaptureStderr();
  run_async(std::move(body), std::move(options));
  return ::testing::internal::GetCapturedStderr();
}

Task<void> fail_unobserved() {
  create_task(fail_after(1ms, "nobody awaited this"), "never-awaited-task");
  co_await sleep(20ms);
}

Task<void> block_the_loop() {
  Loop::current().call_soon([] { std::this_thread::sleep_for(150ms); });
  co_await sleep(1ms);
}

TEST(LoopDebug, ReportsAFailedTaskThatWasNeverAwaitedWithItsName) {
  const std::string err = stderr_of_run(fail_unobserved, /*debug=*/true);
  EXPECT_THAT(err, HasSubstr("never-awaited-task"));
  EXPECT_THAT(err, HasSubstr("nobody awaited this"));
}

TEST(LoopDebug, DoesNotReportAFailedTaskThatWasAwaited) {
  const std::string err = stderr_of_run(
      []() -> Task<void> {
        auto h = create_task(fail_after(1ms, "observed failure"), "awaited-task");
        EXPECT_THROW(co_await h, std::runtime_error);
      },
      /*debug=*/true);
  EXPECT_THAT(err, Not(HasSubstr("awaited-task")));
}

TEST(LoopDebug, ReportsACallbackThatBlocksTheLoopOver100ms) {
  const std::string err = stderr_of_run(block_the_loop, /*debug=*/true);
  EXPECT_FALSE(err.empty()) << "the 150 ms callback was not reported";
}

TEST(LoopDebug, ReportsATaskStepThatBlocksTheLoopWithTheTaskName) {
  const std::string err = stderr_of_run(
      []() -> Task<void> {
        co_await create_task(
            []() -> Task<void> {
              co_await sleep(1ms);
              std::this_thread::sleep_for(150ms);  // blocking code in a task
              co_await sleep(1ms);
            }(),
            "hogging-task");
      },
      /*debug=*/true);
  EXPECT_THAT(err, HasSubstr("hogging-task"));
}

TEST(LoopDebug, DoesNotReportQuickCallbacks) {
  const std::string err = stderr_of_run(
      []() -> Task<void> {
        for (int i = 0; i < 100; ++i) Loop::current().call_soon([] {});
        co_await sleep(5ms);
      },
      /*debug=*/true);
  EXPECT_EQ(err, "");
}

TEST(LoopDebug, WithoutDebugNothingIsReported) {
  // COIO_DEBUG would turn debug mode on.
#if defined(_WIN32)
  _putenv("COIO_DEBUG=");  // an empty value removes the variable
#else
  unsetenv("COIO_DEBUG");
#endif
  EXPECT_EQ(stderr_of_run(fail_unobserved, /*debug=*/false), "");
  EXPECT_EQ(stderr_of_run(block_the_loop, /*debug=*/false), "");
}

}  // namespace
}  // namespace coio::testing
