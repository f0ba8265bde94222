// coio/result.h: a value or the exception that prevented it.
//
// What gather(return_exceptions, ...) gives for each child, in place of
// asyncio's "result or exception object" list:
//
//   auto [a, b] = co_await coio::gather(coio::return_exceptions, f(), g());
//   if (a.ok()) use(a.value()); else log(a.status());
//
// status() maps the exception to an absl::Status for code that does not use
// exceptions: CancelledError -> kCancelled, TimeoutError -> kDeadlineExceeded,
// std::system_error -> the code matching its errno, others -> kUnknown.
#pragma once

#include <exception>
#include <utility>
#include <variant>

#include "absl/status/status.h"

namespace coio {
namespace internal {
absl::Status status_from_exception(const std::exception_ptr& e);
}  // namespace internal

template <class T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(std::exception_ptr error) : v_(std::in_place_index<1>, std::move(error)) {}

  // True when the result holds a value.
  bool ok() const noexcept { return v_.index() == 0; }

  // Returns the value, or rethrows the exception.
  T& value() & {
    rethrow_if_error();
    return std::get<0>(v_);
  }
  const T& value() const& {
    rethrow_if_error();
    return std::get<0>(v_);
  }
  T&& value() && {
    rethrow_if_error();
    return std::get<0>(std::move(v_));
  }

  // Returns the exception, or null when ok().
  std::exception_ptr error() const noexcept { return ok() ? nullptr : std::get<1>(v_); }

  absl::Status status() const { return ok() ? absl::OkStatus() : internal::status_from_exception(std::get<1>(v_)); }

 private:
  void rethrow_if_error() const {
    if (!ok()) std::rethrow_exception(std::get<1>(v_));
  }
  std::variant<T, std::exception_ptr> v_;
};

template <>
class Result<void> {
 public:
  Result() = default;
  Result(std::exception_ptr error) : error_(std::move(error)) {}

  bool ok() const noexcept { return error_ == nullptr; }
  void value() const {
    if (error_) std::rethrow_exception(error_);
  }
  std::exception_ptr error() const noexcept { return error_; }
  absl::Status status() const { return ok() ? absl::OkStatus() : internal::status_from_exception(error_); }

 private:
  std::exception_ptr error_;
};

}  // namespace coio
