#include "coio/tcp.h"

#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "coio/internal/os.h"
#include "coio/internal/socket_ops.h"
#include "coio/resolve.h"

namespace coio {

using internal::SocketHandle;

Task<TcpStream> TcpStream::connect(SocketAddress address) {
  SocketHandle socket = internal::open_socket(address.family(), SOCK_STREAM);
  if (address.family() != AF_UNIX) {
    internal::set_socket_option(socket.fd(), IPPROTO_TCP, TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)");
  }
  co_await internal::connect_socket(socket, address);
  TcpStream stream;
  stream.socket_ = std::move(socket);
  co_return stream;
}

Task<TcpStream> TcpStream::connect(std::string host, std::uint16_t port) {
  std::vector<SocketAddress> addresses = co_await resolve(host, port);
  // Each address in turn, as asyncio does without happy eyeballs; when all
  // fail, the error names every address tried.
  std::string tried;
  std::error_code last_error;
  for (const SocketAddress& address : addresses) {
    try {
      co_return co_await connect(address);
    } catch (const std::system_error& e) {
      if (!internal::is_os_error(e)) throw;
      if (addresses.size() == 1) throw;
      last_error = e.code();
      tried += (tried.empty() ? "" : ", ") + address.to_string() + " (" + e.code().message() + ")";
    }
  }
  throw std::system_error(last_error, "connect to " + host + ": tried " + tried);
}

Task<TcpStream> TcpStream::connect_unix(std::string path) {
  return connect(SocketAddress::unix_path(path));
}

void TcpStream::shutdown_write() {
  if (::shutdown(static_cast<internal::os::Socket>(socket_.checked_fd("shutdown")), internal::os::kShutdownWrite) != 0) {
    throw std::system_error(internal::os::error(internal::os::last_error()), "shutdown");
  }
}

void TcpStream::set_nodelay(bool on) {
  internal::set_socket_option(socket_.checked_fd("setsockopt"), IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0,
                              "setsockopt(TCP_NODELAY)");
}

TcpListener& TcpListener::operator=(TcpListener&& other) noexcept {
  if (this != &other) {
    remove_unix_path();
    socket_ = std::move(other.socket_);
    unix_path_ = std::exchange(other.unix_path_, {});
    is_tcp_ = other.is_tcp_;
  }
  return *this;
}

TcpListener::~TcpListener() { remove_unix_path(); }

TcpListener TcpListener::bind(const SocketAddress& address, ListenOptions options) {
  TcpListener listener;
  listener.socket_ = internal::open_socket(address.family(), SOCK_STREAM);
  const std::intptr_t fd = listener.socket_.fd();
  listener.is_tcp_ = address.family() != AF_UNIX;
  if (listener.is_tcp_ && options.reuse_address) {
    internal::set_socket_option(fd, SOL_SOCKET, internal::os::kReuseAddress, 1, "setsockopt(SO_REUSEADDR)");
  }
  if (options.reuse_port) {
    // asyncio raises ValueError where the socket module lacks SO_REUSEPORT.
    if (internal::os::kReusePort == 0) throw std::invalid_argument("coio::TcpListener: reuse_port is not supported here");
    internal::set_socket_option(fd, SOL_SOCKET, internal::os::kReusePort, 1, "setsockopt(SO_REUSEPORT)");
  }
  if (address.family() == AF_INET6) {
    // "::" listens on IPv6 only, as asyncio does; "0.0.0.0" takes IPv4.
    internal::set_socket_option(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "setsockopt(IPV6_V6ONLY)");
  }
  internal::bind_socket(listener.socket_, address);
  if (::listen(static_cast<internal::os::Socket>(fd), options.backlog) != 0) {
    internal::throw_socket_error(internal::os::error(internal::os::last_error()), "listen on", address);
  }
  return listener;
}

Task<TcpListener> TcpListener::bind(std::string host, std::uint16_t port, ListenOptions options) {
  std::vector<SocketAddress> addresses = co_await resolve(host, port);
  co_return bind(addresses.front(), options);
}

TcpListener TcpListener::bind_unix(const std::string& path, ListenOptions options) {
  const SocketAddress address = SocketAddress::unix_path(path);
  internal::os::remove_stale_unix_socket(path.c_str());
  TcpListener listener = bind(address, options);
  listener.unix_path_ = path;
  return listener;
}

Task<TcpStream> TcpListener::accept() {
  const std::intptr_t fd = co_await internal::accept_socket(socket_);
  TcpStream stream(fd);
  if (is_tcp_) stream.set_nodelay(true);
  co_return stream;
}

Task<void> TcpListener::close() {
  remove_unix_path();
  return socket_.close();
}

void TcpListener::stop_listening() noexcept {
  internal::SocketCore* core = socket_.core();
  if (core == nullptr || core->fd() < 0) return;
  if (internal::os::kShutdownStopsListening) {
    ::shutdown(static_cast<internal::os::Socket>(core->fd()), internal::os::kShutdownBoth);
  } else {
    core->close_fd_now();
  }
}

void TcpListener::remove_unix_path() noexcept {
  if (unix_path_.empty()) return;
  internal::os::remove_file(unix_path_.c_str());
  unix_path_.clear();
}

}  // namespace coio
