// coio::shield: asyncio.shield.
#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

TEST(Shield, ReturnsTheInnerResult) {
  run_async([]() -> Task<void> { EXPECT_EQ(co_await shield(after(1ms, 3)), 3); });
}

TEST(Shield, CancellingTheOuterAwaitLeavesTheInnerTaskRunning) {
  run_async([]() -> Task<void> {
    auto inner = create_task(after(30ms, 7));
    auto outer = create_task([](TaskHandle<int> in) -> Task<int> { co_return co_await shield(in); }(inner));
    co_await sleep(1ms);
    auto start = Clock::now();
    outer.cancel();
    EXPECT_THROW(co_await outer, CancelledError);
    EXPECT_LT(ms_since(start), 20.0);  // at once, not after the inner task
    EXPECT_FALSE(inner.done());
    EXPECT_EQ(co_await inner, 7);
    EXPECT_FALSE(inner.cancelled());
  });
}

TEST(Shield, PropagatesTheInnerException) {
  run_async([]() -> Task<void> { EXPECT_THROW(co_await shield(fail_after(1ms, "x")), std::runtime_error); });
}

}  // namespace
}  // namespace coio::testing
