// coio/resolve.h: host names to addresses (asyncio's loop.getaddrinfo).
//
//   std::vector<coio::SocketAddress> all = co_await coio::resolve("localhost", 8080);
//
// Names are resolved with getaddrinfo(3) on the loop's thread pool, so a slow
// DNS server never blocks the loop; numeric addresses are parsed in place.
// IPv4 and IPv6 addresses come in the system's preferred order. Names under
// the reserved ".invalid" domain fail at once (RFC 6761), with no DNS query.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "coio/socket_address.h"
#include "coio/task.h"

namespace coio {

// The error category of getaddrinfo's EAI_* codes.
const std::error_category& resolve_category() noexcept;

// Thrown when a host name does not resolve; names the host, and carries the
// EAI_* code in resolve_category() (the errno, for EAI_SYSTEM).
class ResolveError : public std::system_error {
 public:
  ResolveError(int eai_code, const std::string& host);
  const std::string& host() const noexcept { return host_; }

 private:
  std::string host_;
};

enum class SocketKind { kStream, kDatagram };

// All the addresses of `host` (a name or a numeric IP; empty for the
// wildcard address a server binds to) with `port`. Throws ResolveError.
Task<std::vector<SocketAddress>> resolve(std::string host, std::uint16_t port,
                                         SocketKind kind = SocketKind::kStream);

}  // namespace coio
