// coio/internal/os_error.h: the category of the operating system's own error
// numbers, part of the core's OS seam (coio/internal/os.h).
//
// What os::last_error() returns and what a backend reports in
// Operation::error are numbers of this category, and the core wraps them
// with it: std::system_category() (errno values) on POSIX; on Windows,
// coio's category of Win32 and Winsock codes (src/windows/error_category.cc),
// whose messages are Windows' own and which compare equal to the std::errc
// condition of the same meaning, so that
//
//   e.code() == std::errc::connection_refused
//
// holds on every backend, while e.code().value() is what the OS said
// (ECONNREFUSED on Linux, WSAECONNREFUSED or ERROR_CONNECTION_REFUSED on
// Windows). Errors the core makes itself (a closed socket, a directory
// opened as a file) are std::make_error_code(std::errc::...).
#pragma once

#include <system_error>

namespace coio::internal::os {

const std::error_category& error_category() noexcept;

// An OS error number as an error code of that category.
inline std::error_code error(int code) noexcept { return {code, error_category()}; }

}  // namespace coio::internal::os
