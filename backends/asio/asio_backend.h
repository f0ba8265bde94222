// backends/asio/asio_backend.h: the backend built on standalone Asio.
//
// The portable backend, and the fallback when io_uring cannot start. Pipes,
// sockets and terminals go through Asio's reactor (epoll on Linux, kqueue on
// the BSDs). Reads and writes at an offset (regular files) run as
// pread/pwrite on a small thread pool, as Python's aiofiles does; they cannot
// be aborted, so cancel() lets them finish with their real result.
//
// The socket operations make their system call (accept4, connect, recv,
// send, recvfrom, sendto) at once, and again each time the reactor finds the
// socket ready, as asyncio's selector loop does; cancel() aborts the wait,
// never a call under way. kSend and kSendTo pass MSG_NOSIGNAL.
//
// A file descriptor with operations in flight is in non-blocking mode:
// O_NONBLOCK belongs to the open file, so every copy of it sees the change.
// The descriptor is put back in blocking mode, if that is how it was found,
// when its last operation completes. Only kClose closes it, synchronously;
// operations still in flight on it then complete with EBADF (kCancelled if
// their cancel was asked).
//
//   std::unique_ptr<coio::Backend> backend = coio::make_asio_backend();
#pragma once

#include <memory>

#include "coio/backend.h"

namespace coio {

// Creates an Asio backend. Throws std::system_error when its reactor cannot
// start (for example, out of file descriptors). The first backend created
// sets SIGPIPE to SIG_IGN if it was SIG_DFL, so that writing to a closed pipe
// or socket fails with EPIPE instead of killing the process; a disposition
// the program chose is left alone.
std::unique_ptr<Backend> make_asio_backend();

}  // namespace coio
