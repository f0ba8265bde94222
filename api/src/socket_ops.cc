#include "coio/internal/socket_ops.h"

#include <string>
#include <system_error>

#include "coio/internal/os.h"

namespace coio::internal {

SocketHandle open_socket(int family, int type) {
  const std::intptr_t fd = os::open_socket(family, type);
  if (fd < 0) throw std::system_error(os::error(os::last_error()), "socket");
  return SocketHandle(fd);
}

void throw_socket_error(std::error_code error, const char* what, const SocketAddress& address) {
  throw std::system_error(error, std::string(what) + " " + address.to_string());
}

bool is_os_error(const std::system_error& e) noexcept {
  return e.code().category() == os::error_category() && e.code() != std::errc::operation_canceled;
}

void set_socket_option(std::intptr_t fd, int level, int option, int value, const char* what) {
  if (os::set_socket_option(fd, level, option, value) != 0) {
    throw std::system_error(os::error(os::last_error()), what);
  }
}

Task<void> connect_socket(SocketHandle& socket, SocketAddress address) {
  SocketOp op(socket.core(), SocketSide::kSending, "connect");
  op.code = OpCode::kConnect;
  op.address = address.native();  // in this frame: alive while the kernel reads it
  op.address_length = address.native_length();
  try {
    co_await op;
  } catch (const std::system_error& e) {
    if (!is_os_error(e)) throw;
    throw_socket_error(e.code(), "connect to", address);
  }
}

void bind_socket(SocketHandle& socket, const SocketAddress& address) {
  if (::bind(static_cast<os::Socket>(socket.checked_fd("bind")), address.native(), address.native_length()) != 0) {
    throw_socket_error(os::error(os::last_error()), "bind to", address);
  }
}

Task<std::intptr_t> accept_socket(SocketHandle& socket) {
  SocketOp op(socket.core(), SocketSide::kReceiving, "accept");
  op.code = OpCode::kAccept;
  // The listener closes its descriptor as the backend contract asks.
  op.listening_socket = true;
  co_return static_cast<std::intptr_t>(co_await op);
}

}  // namespace coio::internal
