// make_backend() for --//:backend=asio.
#include "backends/asio/asio_backend.h"

namespace coio {

std::unique_ptr<Backend> make_backend() { return make_asio_backend(); }

}  // namespace coio
