// backends/iocp/nt_status.h: the Win32 error code of an NTSTATUS, which is
// what a completion's OVERLAPPED and the Nt* calls give. The backend reports
// Win32 and Winsock codes as they are; the core reads them in its Windows
// error category (api/src/windows/error_category.cc), which knows their
// std::errc conditions.
#pragma once

#include <winsock2.h>  // before windows.h, which would bring the old winsock.h
#include <windows.h>

namespace coio::iocp {

DWORD win32_error_of(LONG status) noexcept;

}  // namespace coio::iocp
