// backends/iocp/socket_extensions.h: Winsock's extension functions
// (AcceptEx, ConnectEx, GetAcceptExSockaddrs), which are reached through
// WSAIoctl on a socket rather than linked.
#pragma once

#include <winsock2.h>
#include <mswsock.h>

#include <cstddef>
#include <cstdint>

namespace coio::iocp {

// Room AcceptEx needs for each of the two addresses it writes.
inline constexpr DWORD kAcceptAddressRoom = sizeof(sockaddr_storage) + 16;

// Looks each function up once, on the first socket that needs it; null
// (with WSAGetLastError() set) when the provider has none.
class SocketExtensions {
 public:
  LPFN_ACCEPTEX accept_ex(SOCKET socket) noexcept;
  LPFN_CONNECTEX connect_ex(SOCKET socket) noexcept;
  LPFN_GETACCEPTEXSOCKADDRS accept_ex_sockaddrs(SOCKET socket) noexcept;

 private:
  LPFN_ACCEPTEX accept_ex_ = nullptr;
  LPFN_CONNECTEX connect_ex_ = nullptr;
  LPFN_GETACCEPTEXSOCKADDRS accept_ex_sockaddrs_ = nullptr;
};

// Copies the peer's address from AcceptEx's output `addresses` into `out`
// (room: `room` bytes); returns the address's real size.
std::uint32_t peer_address(SocketExtensions& extensions, SOCKET listener, const std::byte* addresses, void* out,
                           std::uint32_t room) noexcept;

}  // namespace coio::iocp
