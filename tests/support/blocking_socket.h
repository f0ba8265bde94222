// tests/support/blocking_socket.h: a blocking TCP peer for tests that need
// the other end to misbehave (reset, stop reading), on POSIX and Winsock
// alike. Not coio: plain blocking calls, meant for a thread of its own.
#pragma once

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <system_error>
#include <utility>

namespace coio::testing {

#if defined(_WIN32)
using NativeSocket = SOCKET;
inline constexpr NativeSocket kNoSocket = INVALID_SOCKET;
inline int socket_error() { return ::WSAGetLastError(); }
inline void close_native(NativeSocket s) { ::closesocket(s); }
#else
using NativeSocket = int;
inline constexpr NativeSocket kNoSocket = -1;
inline int socket_error() { return errno; }
inline void close_native(NativeSocket s) { ::close(s); }
#endif

// A socket, closed when it goes.
class Fd {
 public:
  Fd() = default;
  explicit Fd(NativeSocket fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, kNoSocket)) {}
  Fd& operator=(Fd&& other) noexcept {
    reset();
    fd_ = std::exchange(other.fd_, kNoSocket);
    return *this;
  }
  ~Fd() { reset(); }
  NativeSocket get() const { return fd_; }
  // Gives the socket up without closing it.
  NativeSocket release() { return std::exchange(fd_, kNoSocket); }
  bool valid() const { return fd_ != kNoSocket; }
  void reset() {
    if (valid()) close_native(std::exchange(fd_, kNoSocket));
  }

 private:
  NativeSocket fd_ = kNoSocket;
};

// A blocking TCP socket bound to 127.0.0.1 on a free port (set in `port`),
// listening if asked.
inline Fd loopback_socket(bool listening, std::uint16_t& port) {
#if defined(_WIN32)
  Fd fd(::WSASocketW(AF_INET, SOCK_STREAM, 0, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT));
#else
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
#endif
  if (!fd.valid()) throw std::system_error(socket_error(), std::system_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::system_error(socket_error(), std::system_category(), "bind");
  }
  socklen_t length = sizeof address;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  if (listening && ::listen(fd.get(), 8) != 0) throw std::system_error(socket_error(), std::system_category(), "listen");
  return fd;
}

// Accepts one connection within 2 s (an empty Fd if none came); the blocking
// calls on it give up after 2 s.
inline Fd accept_one(NativeSocket listener) {
#if defined(_WIN32)
  WSAPOLLFD p{listener, POLLRDNORM, 0};
  if (::WSAPoll(&p, 1, 2000) != 1) return Fd();
  Fd fd(::accept(listener, nullptr, nullptr));
  const DWORD timeout = 2000;
#else
  pollfd p{listener, POLLIN, 0};
  if (::poll(&p, 1, 2000) != 1) return Fd();
  Fd fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  const timeval timeout{2, 0};
#endif
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&timeout), sizeof timeout);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, reinterpret_cast<const char*>(&timeout), sizeof timeout);
  return fd;
}

// send(2) and recv(2) of a blocking socket; a closed peer is an error,
// never a SIGPIPE.
inline long send_some(const Fd& fd, const void* data, std::size_t size) {
#if defined(_WIN32)
  return ::send(fd.get(), static_cast<const char*>(data), static_cast<int>(size), 0);
#else
  return ::send(fd.get(), data, size, MSG_NOSIGNAL);
#endif
}

inline long recv_some(const Fd& fd, void* data, std::size_t size) {
#if defined(_WIN32)
  return ::recv(fd.get(), static_cast<char*>(data), static_cast<int>(size), 0);
#else
  return ::recv(fd.get(), data, size, 0);
#endif
}

// Makes closing `fd` send a reset (RST) instead of a FIN.
inline void close_with_reset(Fd& fd) {
  linger hard{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&hard), sizeof hard);
  fd.reset();
}

}  // namespace coio::testing
