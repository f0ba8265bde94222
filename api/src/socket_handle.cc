#include "coio/internal/socket_handle.h"

#include <string>
#include <system_error>

#include "coio/errors.h"
#include "coio/internal/os.h"
#include "coio/loop.h"

namespace coio::internal {

void SocketCore::check_free(SocketSide side, const char* what) const {
  if (closing_) SocketOp::throw_closed(what);
  if (in_flight_[static_cast<int>(side)] != nullptr) {
    throw InvalidStateError(std::string(what) + ": another operation on this side of the socket is in progress" +
                            " (one task reads and one task writes at a time)");
  }
}

void SocketCore::attach(IoAwaiter& op, SocketSide side) noexcept {
  in_flight_[static_cast<int>(side)] = &op;
  add_ref();
}

void SocketCore::returned(IoAwaiter& op) noexcept {
  for (auto& slot : in_flight_) {
    if (slot == &op) slot = nullptr;
  }
  if (closing_ && idle()) idle_waiters_.wake_all();
  release();
}

void SocketCore::begin_close() noexcept {
  closing_ = true;
  for (IoAwaiter* op : in_flight_) {
    if (op != nullptr) op->abort();
  }
}

void SocketCore::close_fd_now() noexcept {
  if (fd_ < 0) return;
  // The backend may still receive on it (Operation::stream_socket).
  if (Loop* loop = Loop::current_or_null()) loop->forget(fd_);
  os::close_socket(std::exchange(fd_, -1));
}

void SocketCore::release() noexcept {
  if (--refs_ > 0) return;
  close_fd_now();
  delete this;
}

void SocketOp::throw_closed(const char* what) {
  throw std::system_error(std::make_error_code(std::errc::bad_file_descriptor), std::string(what) + ": the socket is closed");
}

std::intptr_t SocketHandle::checked_fd(const char* what) const {
  if (core_ == nullptr) SocketOp::throw_closed(what);
  return core_->fd();
}

void SocketHandle::reset() noexcept {
  SocketCore* core = std::exchange(core_, nullptr);
  if (core == nullptr) return;
  core->begin_close();
  core->release();
}

namespace {

// Owns a reference to a closing core until the coroutine is done with it,
// even if the coroutine is destroyed before it ran.
struct CoreRef {
  explicit CoreRef(SocketCore* c) noexcept : core(c) {}
  CoreRef(CoreRef&& other) noexcept : core(std::exchange(other.core, nullptr)) {}
  ~CoreRef() {
    if (core) core->release();
  }
  SocketCore* core;
};

Task<void> finish_close(CoreRef ref) {
  SocketCore* core = ref.core;
  while (!core->idle()) co_await core->idle_waiters().wait_uninterruptible();
  if (core->fd() < 0) co_return;  // closed already, by close_fd_now()
  IoAwaiter close_op("close");
  close_op.code = OpCode::kClose;
  close_op.handle = core->fd();
  close_op.make_uninterruptible();
  try {
    co_await close_op;
  } catch (...) {
    core->forget_fd();  // close(2) releases the number even when it fails
    throw;
  }
  core->forget_fd();
}

}  // namespace

Task<void> SocketHandle::close() {
  SocketCore* core = std::exchange(core_, nullptr);
  if (core == nullptr) return []() -> Task<void> { co_return; }();
  core->begin_close();
  return finish_close(CoreRef(core));
}

SocketAddress SocketHandle::sockname() const {
  SocketAddress a;
  socklen_t length = SocketAddress::capacity();
  if (::getsockname(static_cast<os::Socket>(checked_fd("sockname")), a.native(), &length) != 0) {
    throw std::system_error(os::error(os::last_error()), "getsockname");
  }
  a.set_native_length(length);
  return a;
}

SocketAddress SocketHandle::peername() const {
  SocketAddress a;
  socklen_t length = SocketAddress::capacity();
  if (::getpeername(static_cast<os::Socket>(checked_fd("peername")), a.native(), &length) != 0) {
    throw std::system_error(os::error(os::last_error()), "getpeername");
  }
  a.set_native_length(length);
  return a;
}

}  // namespace coio::internal
