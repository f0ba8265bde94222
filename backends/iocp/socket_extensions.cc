#include "backends/iocp/socket_extensions.h"

#include <algorithm>
#include <cstring>

namespace coio::iocp {
namespace {

template <class F>
F look_up(SOCKET socket, GUID id, F& cached) noexcept {
  if (cached != nullptr) return cached;
  DWORD bytes = 0;
  F function = nullptr;
  if (::WSAIoctl(socket, SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof id, &function, sizeof function, &bytes,
                 nullptr, nullptr) == 0) {
    cached = function;
  }
  return function;
}

}  // namespace

LPFN_ACCEPTEX SocketExtensions::accept_ex(SOCKET socket) noexcept {
  return look_up(socket, WSAID_ACCEPTEX, accept_ex_);
}

LPFN_CONNECTEX SocketExtensions::connect_ex(SOCKET socket) noexcept {
  return look_up(socket, WSAID_CONNECTEX, connect_ex_);
}

LPFN_GETACCEPTEXSOCKADDRS SocketExtensions::accept_ex_sockaddrs(SOCKET socket) noexcept {
  return look_up(socket, WSAID_GETACCEPTEXSOCKADDRS, accept_ex_sockaddrs_);
}

std::uint32_t peer_address(SocketExtensions& extensions, SOCKET listener, const std::byte* addresses, void* out,
                           std::uint32_t room) noexcept {
  const auto get = extensions.accept_ex_sockaddrs(listener);
  if (get == nullptr) return 0;
  sockaddr* local = nullptr;
  sockaddr* remote = nullptr;
  int local_length = 0;
  int remote_length = 0;
  get(const_cast<std::byte*>(addresses), 0, kAcceptAddressRoom, kAcceptAddressRoom, &local, &local_length, &remote,
      &remote_length);
  if (remote == nullptr || remote_length <= 0) return 0;
  std::memcpy(out, remote, std::min<std::size_t>(room, static_cast<std::size_t>(remote_length)));
  return static_cast<std::uint32_t>(remote_length);
}

}  // namespace coio::iocp
