// backends/io_uring/io_uring_backend.h: the Linux backend, on io_uring.
//
// Runs every operation through one io_uring and batches submissions, so a
// loop turn costs at most one io_uring_enter; wake() writes to an eventfd the
// ring keeps a read armed on. Stream sockets are read through multishot
// receives and provided buffers on Linux 6.1+ (stream_receiver.h). Needs
// Linux 5.11 or later, with io_uring not disabled by seccomp or the
// kernel.io_uring_disabled sysctl.
//
//   std::unique_ptr<coio::Backend> backend = coio::make_io_uring_backend();
#pragma once

#include <memory>

#include "coio/backend.h"

namespace coio {

// Creates an io_uring backend. Apart from wake(), use it from one thread: on
// kernels with IORING_SETUP_SINGLE_ISSUER the ring belongs to the first thread
// that makes it enter the kernel (its first run(), or a submit() that fills
// the submission queue), and any other thread gets std::system_error(EEXIST).
// Throws std::system_error naming the cause when the ring cannot be set up.
// The first backend created sets SIGPIPE to SIG_IGN if it was SIG_DFL, so
// that writing to a closed pipe or socket fails with EPIPE instead of killing
// the process; a disposition the program chose is left alone.
std::unique_ptr<Backend> make_io_uring_backend();

}  // namespace coio
