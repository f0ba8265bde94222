// make_backend() for --//:backend=iocp, and for auto on Windows.
#include "backends/iocp/iocp_backend.h"

namespace coio {

std::unique_ptr<Backend> make_backend() { return make_iocp_backend(); }

}  // namespace coio
