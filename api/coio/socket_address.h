// coio/socket_address.h: an IPv4, IPv6 or Unix-domain socket address.
//
//   auto a = coio::SocketAddress::parse("127.0.0.1", 8080);
//   a.to_string();   // "127.0.0.1:8080"; "[::1]:8080"; "/run/app.sock"
//
// A value type over the system's sockaddr_storage; what peername(),
// sockname() and recv_from() report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "coio/internal/os.h"  // the system's sockaddr types

namespace coio {

class SocketAddress {
 public:
  // An empty address (family AF_UNSPEC).
  SocketAddress() = default;

  // A numeric IPv4 or IPv6 address and a port; throws std::invalid_argument
  // for anything else (names go through coio::resolve()).
  static SocketAddress parse(std::string_view ip, std::uint16_t port);
  // The same, or nothing when `ip` is not a numeric address.
  static std::optional<SocketAddress> try_parse(std::string_view ip, std::uint16_t port);
  // A Unix-domain socket path; throws std::invalid_argument when it is too long.
  static SocketAddress unix_path(std::string_view path);
  // A copy of a system address of `length` bytes.
  static SocketAddress from_native(const sockaddr* address, socklen_t length);

  int family() const noexcept { return storage_.ss_family; }
  bool empty() const noexcept { return family() == AF_UNSPEC; }
  // The port; 0 for a Unix-domain address.
  std::uint16_t port() const noexcept;
  // The numeric IP, or the path of a Unix-domain address.
  std::string host() const;
  // "127.0.0.1:8080", "[::1]:8080", or the path.
  std::string to_string() const;

  const sockaddr* native() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* native() noexcept { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t native_length() const noexcept { return length_; }
  // For system calls that fill the address in: the room there is, then the
  // length they report.
  static constexpr socklen_t capacity() noexcept { return sizeof(sockaddr_storage); }
  void set_native_length(socklen_t length) noexcept { length_ = length; }

  friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

 private:
  sockaddr_storage storage_{};
  socklen_t length_ = 0;
};

}  // namespace coio
