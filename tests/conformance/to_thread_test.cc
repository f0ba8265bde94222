// to_thread: asyncio.to_thread, blocking code on the loop's thread pool.
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

std::string repeat(std::string s, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += s;
  return out;
}

void block_for(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

// A blocking call that outlives its awaiting task: records when it ends and
// returns heap memory that must be freed even though nobody takes it.
struct Abandoned {
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
};

std::unique_ptr<std::string> slow_call(Abandoned* state, std::chrono::milliseconds d) {
  state->started = true;
  std::this_thread::sleep_for(d);
  state->finished = true;
  return std::make_unique<std::string>("a result nobody takes");
}

TEST(ToThread, ReturnsTheFunctionsValueAndPassesArguments) {
  run_async([]() -> Task<void> {
    EXPECT_EQ(co_await to_thread(repeat, std::string("ab"), 3), "ababab");
    EXPECT_EQ(co_await to_thread([](int a, int b) { return a * b; }, 6, 7), 42);
    // Arguments are copied: the caller's string may change meanwhile.
    std::string arg = "copied";
    auto pending = to_thread([](const std::string& s) { return s.size(); }, arg);
    arg = "changed before the call ran";
    EXPECT_EQ(co_await std::move(pending), 6u);
  });
}

TEST(ToThread, AcceptsVoidFunctionsAndMoveOnlyResults) {
  run_async([]() -> Task<void> {
    std::atomic<int> calls{0};
    co_await to_thread([&calls] { ++calls; });
    EXPECT_EQ(calls.load(), 1);
    std::unique_ptr<int> box = co_await to_thread([] { return std::make_unique<int>(9); });
    EXPECT_EQ(*box, 9);
  });
}

TEST(ToThread, RunsTheFunctionOffTheLoopThread) {
  run_async([]() -> Task<void> {
    const auto loop_thread = std::this_thread::get_id();
    const auto call_thread = co_await to_thread([] { return std::this_thread::get_id(); });
    EXPECT_NE(call_thread, loop_thread);
    // And the awaiting task resumes on the loop thread.
    EXPECT_EQ(std::this_thread::get_id(), loop_thread);
  });
}

TEST(ToThread, AnExceptionInTheFunctionSurfacesAtTheAwait) {
  run_async([]() -> Task<void> {
    try {
      co_await to_thread([]() -> int { throw std::runtime_error("thrown on the pool"); });
      ADD_FAILURE() << "the exception did not surface";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "thrown on the pool");
    }
  });
}

TEST(ToThread, ManyBlockingCallsRunConcurrently) {
  run_async([]() -> Task<void> {
    const auto start = Clock::now();
    std::vector<Task<void>> calls;
    for (int i = 0; i < 8; ++i) calls.push_back(to_thread(block_for, 100ms));
    co_await gather(std::move(calls));
    const double elapsed = ms_since(start);
    EXPECT_GE(elapsed, 100.0);
    // One after the other would take 800 ms. The pool has at least
    // min(32, cores + 4) >= 5 threads, so two rounds at most.
    EXPECT_LT(elapsed, 500.0);
  });
}

TEST(ToThread, TheLoopKeepsRunningOtherTasksWhileACallBlocks) {
  run_async([]() -> Task<void> {
    auto call = create_task(to_thread(block_for, 100ms));
    int ticks = 0;
    while (!call.done()) {
      co_await sleep(5ms);
      ++ticks;
    }
    co_await call;
    EXPECT_GE(ticks, 5);  // ~20 unless the machine is very slow
  });
}

TEST(ToThread, CancellingTheAwaitResumesAtOnceWithCancelledError) {
  Abandoned state;
  run_async([&]() -> Task<void> {
    auto call = create_task(to_thread(slow_call, &state, 200ms));
    co_await sleep(20ms);
    EXPECT_TRUE(state.started);
    const auto start = Clock::now();
    EXPECT_TRUE(call.cancel());
    EXPECT_THROW(co_await call, CancelledError);
    EXPECT_LT(ms_since(start), 100.0);
    EXPECT_TRUE(call.cancelled());
    EXPECT_FALSE(state.finished);  // still blocking on its thread
    // The loop goes on while the abandoned call ends; its result comes back
    // to the loop and is dropped (ASan checks it is freed).
    while (!state.finished) co_await sleep(5ms);
    co_await sleep(20ms);
  });
  EXPECT_TRUE(state.finished);
}

TEST(ToThread, RunWaitsForAnAbandonedCallBeforeReturning) {
  Abandoned state;
  run_async([&]() -> Task<void> {
    auto call = create_task(to_thread(slow_call, &state, 100ms));
    co_await sleep(10ms);
    call.cancel();
    EXPECT_THROW(co_await call, CancelledError);
  });
  // As asyncio.run shuts the default executor down: the call has ended.
  EXPECT_TRUE(state.finished);
}

TEST(ToThread, CancelledBeforeItStartsRaisesCancelledError) {
  run_async([]() -> Task<void> {
    std::atomic<bool> ran{false};
    auto call = create_task(to_thread([&ran] { ran = true; }));
    call.cancel();  // before the task ever ran
    EXPECT_THROW(co_await call, CancelledError);
    co_await sleep(10ms);
    EXPECT_FALSE(ran.load());
  });
}

}  // namespace
}  // namespace coio::testing
