#include "backends/iocp/nt_status.h"

#include <winternl.h>

namespace coio::iocp {

DWORD win32_error_of(LONG status) noexcept { return ::RtlNtStatusToDosError(status); }

}  // namespace coio::iocp
