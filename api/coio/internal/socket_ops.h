// coio/internal/socket_ops.h: making sockets, and the socket operations that
// are more than a transfer (connect, accept, datagrams), for tcp.cc,
// datagram.cc and streams.cc.
#pragma once

#include <cstdint>
#include <system_error>

#include "coio/internal/socket_handle.h"
#include "coio/socket_address.h"
#include "coio/task.h"

namespace coio::internal {

// A new non-blocking, close-on-exec socket; throws std::system_error.
SocketHandle open_socket(int family, int type);

// Throws std::system_error(error) naming `what` and `address`.
[[noreturn]] void throw_socket_error(std::error_code error, const char* what, const SocketAddress& address);

// Whether `e` is the OS's answer to an operation (os::error_category()),
// which the caller may name its address in, rather than the core's own
// (a closed socket, an operation aborted by close()).
bool is_os_error(const std::system_error& e) noexcept;

// Sets an int socket option; throws std::system_error naming `what`.
void set_socket_option(std::intptr_t fd, int level, int option, int value, const char* what);

// Connects `socket` to `address`; throws std::system_error naming it.
Task<void> connect_socket(SocketHandle& socket, SocketAddress address);

// Binds `socket` to `address`; throws std::system_error naming it.
void bind_socket(SocketHandle& socket, const SocketAddress& address);

// Accepts one connection on the listening `socket`: the new descriptor.
Task<std::intptr_t> accept_socket(SocketHandle& socket);

}  // namespace coio::internal
