// backends/iocp/error_map.h: Windows error codes as the errno values the
// other backends report, so that the core and the tests compare the same
// numbers on every backend (connection refused is ECONNREFUSED everywhere).
#pragma once

#include <winsock2.h>  // before windows.h, which would bring the old winsock.h
#include <windows.h>

namespace coio::iocp {

// The errno value (as mingw's <errno.h> numbers it) for a Win32 or Winsock
// error code; a code with no POSIX counterpart is returned unchanged, and
// then reads as the Windows error it is. ERROR_OPERATION_ABORTED and
// STATUS_HANDLES_CLOSED's 676 are not here: the backend reports them as
// Operation::kCancelled.
int to_errno(DWORD error) noexcept;

// The Win32 error code of an NTSTATUS from a completion's OVERLAPPED.
DWORD win32_error_of(LONG status) noexcept;

}  // namespace coio::iocp
