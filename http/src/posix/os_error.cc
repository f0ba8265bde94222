#include "http/src/os_error.h"

namespace coio::http::internal {

int errno_of_os_error(long os_error) noexcept { return static_cast<int>(os_error); }

}  // namespace coio::http::internal
