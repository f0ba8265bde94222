#include <cerrno>
#include <string>
#include <system_error>

#include "absl/status/status.h"
#include "coio/errors.h"
#include "coio/result.h"

namespace coio::internal {

absl::Status status_from_exception(const std::exception_ptr& e) {
  if (!e) return absl::OkStatus();
  try {
    std::rethrow_exception(e);
  } catch (const CancelledError& ex) {
    return absl::CancelledError(ex.what());
  } catch (const TimeoutError& ex) {
    return absl::DeadlineExceededError(ex.what());
  } catch (const std::system_error& ex) {
    // An OS error of any platform has an errno condition (std::errc).
    const std::error_condition condition = ex.code().default_error_condition();
    if (condition.category() == std::generic_category()) {
      absl::Status from_errno = absl::ErrnoToStatus(condition.value(), ex.what());
      if (!from_errno.ok()) return from_errno;
    }
    return absl::UnknownError(ex.what());
  } catch (const std::invalid_argument& ex) {
    return absl::InvalidArgumentError(ex.what());
  } catch (const std::out_of_range& ex) {
    return absl::OutOfRangeError(ex.what());
  } catch (const std::exception& ex) {
    return absl::UnknownError(ex.what());
  } catch (...) {
    return absl::UnknownError("non-standard exception");
  }
}

}  // namespace coio::internal
