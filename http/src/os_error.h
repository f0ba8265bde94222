// http/src/os_error.h: the errno value of the system error libcurl saw
// (CURLINFO_OS_ERRNO), which Error::os_error() promises on every platform.
#pragma once

namespace coio::http::internal {

// errno itself on POSIX; on Windows, Winsock's code turned into the errno
// value of the same meaning (WSAECONNREFUSED is ECONNREFUSED), as the IOCP
// backend reports its errors. A code with no counterpart is kept.
int errno_of_os_error(long os_error) noexcept;

}  // namespace coio::http::internal
