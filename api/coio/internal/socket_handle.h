// coio/internal/socket_handle.h: a socket descriptor, owned, with the
// operations in flight on it.
//
// A socket runs at most one receiving operation (recv, accept, recv_from)
// and one sending operation (send, connect, send_to) at a time; a second one
// on the same side is a usage error (asyncio raises RuntimeError for it).
// Closing aborts both, waits until the kernel has returned them (they fail
// with ECANCELED), then closes the descriptor: through the backend when
// close() is awaited, with close(2) when the handle is simply destroyed.
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "coio/internal/io_awaiter.h"
#include "coio/internal/wait_list.h"
#include "coio/socket_address.h"
#include "coio/task.h"

namespace coio::internal {

enum class SocketSide { kReceiving = 0, kSending = 1 };

// Shared by a SocketHandle and the operations in flight on it, so that
// whichever lets go last closes the descriptor.
class SocketCore final : public IoOwner {
 public:
  explicit SocketCore(std::intptr_t fd) noexcept : fd_(fd) {}

  std::intptr_t fd() const noexcept { return fd_; }
  bool closing() const noexcept { return closing_; }

  // Throws when `side` is busy or the socket is closing.
  void check_free(SocketSide side, const char* what) const;
  void attach(IoAwaiter& op, SocketSide side) noexcept;
  void returned(IoAwaiter& op) noexcept override;

  // Marks the socket closing and aborts what is in flight.
  void begin_close() noexcept;
  bool idle() const noexcept { return in_flight_[0] == nullptr && in_flight_[1] == nullptr; }
  WaitList& idle_waiters() noexcept { return idle_waiters_; }
  // The descriptor was closed through the backend.
  void forget_fd() noexcept { fd_ = -1; }
  // Closes the descriptor now, even with operations in flight on it, for
  // where closing is what aborts them (a listener on Windows): their
  // completions still come through the backend, and nothing closes the
  // descriptor again (its number may already name another one).
  void close_fd_now() noexcept;

  void add_ref() noexcept { ++refs_; }
  // The last reference closes the descriptor (if still open) and frees this.
  void release() noexcept;

 private:
  std::intptr_t fd_;
  IoAwaiter* in_flight_[2] = {nullptr, nullptr};
  WaitList idle_waiters_;
  int refs_ = 1;
  bool closing_ = false;
};

// One socket operation, counted against its side of the socket. It holds a
// reference to the core from the start: an awaiter made before the socket
// closed (say, handed to create_task) and awaited after it then fails with
// EBADF instead of touching a freed core.
class SocketOp : public IoAwaiter {
 public:
  SocketOp(SocketCore* core, SocketSide side, const char* what) : IoAwaiter(what), core_(core), side_(side) {
    if (core_ == nullptr) throw_closed(what);
    core_->add_ref();
    handle = core_->fd();
    set_owner(core_);
  }
  SocketOp(SocketOp&& other) noexcept
      : IoAwaiter(std::move(other)), core_(std::exchange(other.core_, nullptr)), side_(other.side_) {}
  ~SocketOp() {
    if (core_ != nullptr) core_->release();
  }
  bool await_suspend(std::coroutine_handle<> h) {
    core_->check_free(side_, what());
    if (!IoAwaiter::await_suspend(h)) return false;
    core_->attach(*this, side_);
    return true;
  }
  [[noreturn]] static void throw_closed(const char* what);

 protected:
  using IoAwaiter::set_whole;

 private:
  SocketCore* core_;
  SocketSide side_;
};

// A transfer of bytes: recv or send, returning how many. `stream` marks a
// transfer on a stream socket (Operation::stream_socket): SocketCore closes
// its descriptor only as the backend contract asks, and a send may go in
// parts.
class TransferAwaiter final : public SocketOp {
 public:
  TransferAwaiter(SocketCore* core, OpCode code, void* data, std::size_t size, bool whole, const char* what,
                  bool stream = false)
      : SocketOp(core, code == OpCode::kRecv ? SocketSide::kReceiving : SocketSide::kSending, what) {
    this->code = code;
    buffer = data;
    length = size;
    stream_socket = stream;
    if (whole) set_whole();
  }
  std::size_t await_resume() const { return static_cast<std::size_t>(IoAwaiter::await_resume()); }
};

// Owns a SocketCore: move-only.
class SocketHandle {
 public:
  SocketHandle() = default;
  // Adopts `fd`; -1 makes an empty handle.
  explicit SocketHandle(std::intptr_t fd) : core_(fd >= 0 ? new SocketCore(fd) : nullptr) {}
  SocketHandle(SocketHandle&& other) noexcept : core_(std::exchange(other.core_, nullptr)) {}
  SocketHandle& operator=(SocketHandle&& other) noexcept {
    if (this != &other) {
      reset();
      core_ = std::exchange(other.core_, nullptr);
    }
    return *this;
  }
  ~SocketHandle() { reset(); }

  bool is_open() const noexcept { return core_ != nullptr; }
  SocketCore* core() const noexcept { return core_; }
  // The descriptor, or -1 once closed.
  std::intptr_t fd() const noexcept { return core_ ? core_->fd() : -1; }
  // Throws (EBADF, naming `what`) when closed; returns the descriptor.
  std::intptr_t checked_fd(const char* what) const;

  // Closes at once: aborts what is in flight; the descriptor is closed when
  // the kernel has returned it.
  void reset() noexcept;
  // Closes, through the backend, and returns when done. The handle is
  // empty from the call on, even if the task is never awaited.
  Task<void> close();

  SocketAddress sockname() const;
  SocketAddress peername() const;

 private:
  SocketCore* core_ = nullptr;
};

}  // namespace coio::internal
