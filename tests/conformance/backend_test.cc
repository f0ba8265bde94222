#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

TEST(Backend, IsTheOneThisTargetWasBuiltFor) {
  std::string name = run_async([]() -> Task<std::string> { co_return std::string(Loop::current().backend_name()); });
  std::printf("conformance suite running on backend: %s\n", name.c_str());
  EXPECT_EQ(name, COIO_EXPECTED_BACKEND);
}

}  // namespace
}  // namespace coio::testing
