// coio/descriptor.h: waiting on a raw descriptor (asyncio's loop.add_reader
// and add_writer, as awaitables) and reading or writing one.
//
// For code that brings its own descriptors (pipes, eventfds, a library's
// sockets). The descriptor stays the caller's: coio never closes it.
//
//   co_await coio::wait_readable(fd);
//   std::size_t n = co_await coio::read_some(fd, buffer);
//
// Cancellation aborts the operation in the kernel and returns only once the
// kernel has let go: after CancelledError, `buffer` is never written again.
// Errors are std::system_error with the errno and the operation's name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "coio/task.h"

namespace coio {

// Waits until `fd` is readable (or has an error or hang-up to report).
Task<void> wait_readable(std::intptr_t fd);
// Waits until `fd` is writable (or has an error or hang-up to report).
Task<void> wait_writable(std::intptr_t fd);
// Reads what is available, at most buffer.size() bytes; 0 means end of file.
Task<std::size_t> read_some(std::intptr_t fd, std::span<std::byte> buffer);
// Writes some of `data`; returns how many bytes were written.
Task<std::size_t> write_some(std::intptr_t fd, std::span<const std::byte> data);

}  // namespace coio
