#include "coio/datagram.h"

#include <system_error>
#include <vector>

#include "coio/internal/socket_ops.h"
#include "coio/resolve.h"

namespace coio {

using internal::SocketOp;
using internal::SocketSide;

DatagramSocket DatagramSocket::bind(const SocketAddress& address) {
  DatagramSocket s;
  s.socket_ = internal::open_socket(address.family(), SOCK_DGRAM);
  internal::bind_socket(s.socket_, address);
  return s;
}

Task<DatagramSocket> DatagramSocket::bind(std::string host, std::uint16_t port) {
  std::vector<SocketAddress> addresses = co_await resolve(host, port, SocketKind::kDatagram);
  co_return bind(addresses.front());
}

Task<DatagramSocket> DatagramSocket::connect(SocketAddress remote) {
  DatagramSocket s;
  s.socket_ = internal::open_socket(remote.family(), SOCK_DGRAM);
  co_await internal::connect_socket(s.socket_, remote);
  co_return s;
}

Task<DatagramSocket> DatagramSocket::connect(std::string host, std::uint16_t port) {
  std::vector<SocketAddress> addresses = co_await resolve(host, port, SocketKind::kDatagram);
  co_return co_await connect(addresses.front());
}

Task<std::size_t> DatagramSocket::send_to(std::span<const std::byte> data, SocketAddress to) {
  SocketOp op(socket_.core(), SocketSide::kSending, "sendto");
  op.code = OpCode::kSendTo;
  op.buffer = const_cast<std::byte*>(data.data());
  op.length = data.size();
  op.address = to.native();
  op.address_length = to.native_length();
  try {
    co_return static_cast<std::size_t>(co_await op);
  } catch (const std::system_error& e) {
    if (!internal::is_os_error(e)) throw;
    internal::throw_socket_error(e.code(), "sendto", to);
  }
}

Task<std::size_t> DatagramSocket::send_to(std::string_view data, SocketAddress to) {
  return send_to(std::as_bytes(std::span(data)), std::move(to));
}

Task<Datagram> DatagramSocket::recv_from(std::span<std::byte> buffer) {
  Datagram received;
  SocketOp op(socket_.core(), SocketSide::kReceiving, "recvfrom");
  op.code = OpCode::kRecvFrom;
  op.buffer = buffer.data();
  op.length = buffer.size();
  op.address = received.sender.native();
  op.address_length = SocketAddress::capacity();
  received.size = static_cast<std::size_t>(co_await op);
  received.sender.set_native_length(op.address_length);
  co_return received;
}

Task<std::pair<std::string, SocketAddress>> DatagramSocket::recv_from(std::size_t max_size) {
  std::string data(max_size, '\0');
  Datagram d = co_await recv_from(std::as_writable_bytes(std::span(data)));
  data.resize(d.size);
  co_return std::pair<std::string, SocketAddress>(std::move(data), std::move(d.sender));
}

}  // namespace coio
