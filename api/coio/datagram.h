// coio/datagram.h: UDP (and Unix datagram) sockets — asyncio's datagram
// endpoints, as awaitables.
//
//   auto server = co_await coio::DatagramSocket::bind("127.0.0.1", 0);
//   auto [data, sender] = co_await server.recv_from();
//   co_await server.send_to(data, sender);
//
// One receive and one send may be in flight at a time. A datagram longer
// than the buffer is cut short (as recvfrom(2) does). Errors are
// std::system_error with the errno, the operation and the address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "coio/internal/socket_handle.h"
#include "coio/socket_address.h"
#include "coio/task.h"

namespace coio {

struct Datagram {
  std::size_t size = 0;  // bytes received into the buffer
  SocketAddress sender;
};

class DatagramSocket {
 public:
  DatagramSocket() = default;

  // A socket bound to `host`:`port` (port 0: any free port).
  static Task<DatagramSocket> bind(std::string host, std::uint16_t port);
  static DatagramSocket bind(const SocketAddress& address);
  // A socket connected to `host`:`port` (bound to a free local port): send()
  // and recv() talk to that peer only.
  static Task<DatagramSocket> connect(std::string host, std::uint16_t port);
  static Task<DatagramSocket> connect(SocketAddress remote);

  // Sends one datagram to `to`; returns its size.
  Task<std::size_t> send_to(std::span<const std::byte> data, SocketAddress to);
  Task<std::size_t> send_to(std::string_view data, SocketAddress to);
  // Receives one datagram into `buffer`.
  Task<Datagram> recv_from(std::span<std::byte> buffer);
  // Receives one datagram of at most `max_size` bytes.
  Task<std::pair<std::string, SocketAddress>> recv_from(std::size_t max_size = 65536);

  // On a connected socket: to and from its peer.
  internal::TransferAwaiter send(std::span<const std::byte> data) {
    return {socket_.core(), OpCode::kSend, const_cast<std::byte*>(data.data()), data.size(), false, "send"};
  }
  internal::TransferAwaiter send(std::string_view data) { return send(std::as_bytes(std::span(data))); }
  internal::TransferAwaiter recv(std::span<std::byte> buffer) {
    return {socket_.core(), OpCode::kRecv, buffer.data(), buffer.size(), false, "recv"};
  }

  SocketAddress sockname() const { return socket_.sockname(); }
  SocketAddress peername() const { return socket_.peername(); }
  // Closes the socket; what is in flight on it fails with ECANCELED.
  Task<void> close() { return socket_.close(); }
  bool is_open() const noexcept { return socket_.is_open(); }
  std::intptr_t native_handle() const noexcept { return socket_.fd(); }

 private:
  internal::SocketHandle socket_;
};

}  // namespace coio
