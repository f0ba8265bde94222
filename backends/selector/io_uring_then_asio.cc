// make_backend() for --//:backend=auto on Linux: io_uring when the kernel
// lets this process set up a ring, otherwise Asio. Containers often forbid
// io_uring (seccomp), and some kernels disable it (kernel.io_uring_disabled);
// the fallback is said once on stderr, with the reason.
#include <atomic>
#include <cstdio>
#include <system_error>

#include "backends/asio/asio_backend.h"
#include "backends/io_uring/io_uring_backend.h"

namespace coio {

std::unique_ptr<Backend> make_backend() {
  try {
    return make_io_uring_backend();
  } catch (const std::system_error& e) {
    static std::atomic<bool> said{false};
    if (!said.exchange(true)) {
      std::fprintf(stderr, "coio: io_uring is unavailable (%s); using the asio backend\n", e.what());
    }
    return make_asio_backend();
  }
}

}  // namespace coio
