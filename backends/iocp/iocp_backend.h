// backends/iocp/iocp_backend.h: the Windows backend, on one I/O completion
// port per loop.
//
// Sockets, files and pipes are associated with the port on their first
// operation and skip the port when an operation succeeds at once (the
// backend then completes it itself, on the loop's next turn). run() takes
// completions in batches with GetQueuedCompletionStatusEx, its timeout being
// the loop's next timer; wake() posts a packet. Errors reach the core as
// Windows' own Win32 and Winsock codes, which it reads in its Windows error
// category. Tested under Wine (docs/windows.md).
//
//   std::unique_ptr<coio::Backend> backend = coio::make_iocp_backend();
#pragma once

#include <memory>

#include "coio/backend.h"

namespace coio {

// Creates an IOCP backend; throws std::system_error when the port cannot be
// made. Apart from wake(), use it from one thread.
std::unique_ptr<Backend> make_iocp_backend();

}  // namespace coio
