// make_backend() for --//:backend=io_uring: io_uring or a clear error.
#include "backends/io_uring/io_uring_backend.h"

namespace coio {

std::unique_ptr<Backend> make_backend() { return make_io_uring_backend(); }

}  // namespace coio
