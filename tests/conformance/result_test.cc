// Result<T>: a value or the exception that prevented it, and its absl::Status.
#include <cerrno>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "coio/internal/os.h"
#include "test_util.h"

namespace coio::testing {
namespace {

using ::testing::HasSubstr;

template <class E>
std::exception_ptr error_of(E e) {
  return std::make_exception_ptr(std::move(e));
}

TEST(Result, HoldsAValue) {
  Result<int> r(5);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 5);
  EXPECT_EQ(r.error(), nullptr);
  EXPECT_TRUE(r.status().ok());
  r.value() = 6;  // value() gives access to the stored value
  EXPECT_EQ(r.value(), 6);
}

TEST(Result, HoldsAnExceptionThatValueRethrows) {
  Result<int> r(error_of(std::runtime_error("no value")));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error(), nullptr);
  try {
    (void)r.value();
    ADD_FAILURE() << "value() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "no value");
  }
  // error() is the very exception: rethrowing it gives the same type.
  EXPECT_THROW(std::rethrow_exception(r.error()), std::runtime_error);
}

TEST(Result, StatusOfCancelledErrorIsCancelled) {
  Result<int> r(error_of(CancelledError()));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THROW(r.value(), CancelledError);
}

TEST(Result, StatusOfTimeoutErrorIsDeadlineExceeded) {
  Result<int> r(error_of(TimeoutError()));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THROW(r.value(), TimeoutError);
}

TEST(Result, StatusOfSystemErrorFollowsItsErrno) {
  Result<int> not_found(error_of(std::system_error(ENOENT, std::generic_category(), "open /nonexistent")));
  EXPECT_EQ(not_found.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(not_found.status().message()), HasSubstr("open /nonexistent"));

  // The OS's own code for "permission denied" follows its std::errc condition.
#if defined(_WIN32)
  const std::error_code access_denied = internal::os::error(ERROR_ACCESS_DENIED);
#else
  const std::error_code access_denied(EACCES, std::system_category());
#endif
  Result<int> denied(error_of(std::system_error(access_denied, "open")));
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);

  Result<int> refused(error_of(std::system_error(std::make_error_code(std::errc::connection_refused))));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
}

TEST(Result, StatusOfOtherExceptionsIsUnknownAndKeepsTheMessage) {
  Result<int> r(error_of(std::runtime_error("something broke")));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("something broke"));

  Result<int> odd(error_of(42));  // not even a std::exception
  EXPECT_EQ(odd.status().code(), absl::StatusCode::kUnknown);
}

TEST(Result, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(3));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> taken = std::move(r).value();
  EXPECT_EQ(*taken, 3);
}

TEST(Result, VoidResultIsOkByDefault) {
  Result<void> r;
  EXPECT_TRUE(r.ok());
  EXPECT_NO_THROW(r.value());
  EXPECT_EQ(r.error(), nullptr);
  EXPECT_TRUE(r.status().ok());
}

TEST(Result, VoidResultHoldsAnExceptionThatValueRethrows) {
  Result<void> r(error_of(TimeoutError()));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error(), nullptr);
  EXPECT_THROW(r.value(), TimeoutError);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);

  Result<void> cancelled(error_of(CancelledError()));
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled);
}

TEST(Result, ComesFromGatherWithReturnExceptions) {
  run_async([]() -> Task<void> {
    auto [a, b] = co_await gather(return_exceptions, after(1ms, 1), fail_after(2ms, "second failed"));
    EXPECT_TRUE(a.ok());
    EXPECT_EQ(a.value(), 1);
    EXPECT_FALSE(b.ok());
    EXPECT_EQ(b.status().code(), absl::StatusCode::kUnknown);
    EXPECT_THROW(b.value(), std::runtime_error);
  });
}

}  // namespace
}  // namespace coio::testing
