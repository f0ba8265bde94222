#include "coio/internal/detached_close.h"

#include <new>

#include "coio/backend.h"
#include "coio/internal/os.h"
#include "coio/loop.h"

namespace coio::internal {
namespace {

struct DetachedClose final : Operation {
  Loop* loop = nullptr;

  static void completed(Operation& op) noexcept {
    auto* self = static_cast<DetachedClose*>(&op);
    self->loop->operation_returned();
    delete self;
  }
};

}  // namespace

void close_detached(std::intptr_t fd) noexcept {
  Loop* loop = Loop::current_or_null();
  auto* op = loop ? new (std::nothrow) DetachedClose : nullptr;
  if (op == nullptr) {
    os::close_file(fd);
    return;
  }
  op->loop = loop;
  op->code = OpCode::kClose;
  op->handle = fd;
  op->on_complete = &DetachedClose::completed;
  try {
    loop->submit(*op);
  } catch (...) {
    loop->operation_returned();
    delete op;
    os::close_file(fd);
  }
}

}  // namespace coio::internal
