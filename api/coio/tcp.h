// coio/tcp.h: stream sockets on caller buffers — TcpStream and TcpListener.
//
// The layer under asyncio-style streams (coio/streams.h), for code that
// wants no copies: reads land in the caller's buffer, writes leave from it.
//
//   auto listener = co_await coio::TcpListener::bind("127.0.0.1", 0);
//   coio::TcpStream client = co_await listener.accept();
//   std::array<std::byte, 4096> buffer;
//   while (std::size_t n = co_await client.read_some(buffer)) {
//     co_await client.write_all(std::span(buffer).first(n));
//   }
//
// The same two classes carry Unix-domain stream sockets (connect_unix,
// bind_unix). One task may read while another writes; two reads (or two
// writes) at once on one stream are an InvalidStateError. Cancelling a read
// or write aborts it in the kernel and resumes only once the kernel has let
// go of the buffer. close() aborts what is in flight on the socket: those
// operations fail with std::system_error(ECANCELED). Errors are
// std::system_error with the OS's error code (errno; Windows' own code on
// Windows, equal to the same std::errc condition: compare with
// e.code() == std::errc::connection_refused) and the operation (and the
// address, for connect and bind). A stream left open is closed by its
// destructor.
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

class Server;

class TcpStream {
 public:
  // An empty (closed) stream.
  TcpStream() = default;
  // Adopts a connected stream socket.
  explicit TcpStream(std::intptr_t fd) : socket_(fd) {}

  // Resolves `host` and connects to its addresses in turn; TCP_NODELAY is
  // on. Throws ResolveError, or std::system_error naming every address tried.
  static Task<TcpStream> connect(std::string host, std::uint16_t port);
  static Task<TcpStream> connect(SocketAddress address);
  static Task<TcpStream> connect_unix(std::string path);

  // Reads what is there, at most buffer.size() bytes; 0 means the peer
  // closed its side (end of stream).
  internal::TransferAwaiter read_some(std::span<std::byte> buffer) {
    return {socket_.core(), OpCode::kRecv, buffer.data(), buffer.size(), false, "recv", true};
  }
  // Sends some of `data`; returns how many bytes went.
  internal::TransferAwaiter write_some(std::span<const std::byte> data) {
    return {socket_.core(), OpCode::kSend, const_cast<std::byte*>(data.data()), data.size(), false, "send", true};
  }
  // Sends all of `data`; returns its size. `data` must stay alive until the
  // await completes.
  internal::TransferAwaiter write_all(std::span<const std::byte> data) {
    return {socket_.core(), OpCode::kSend, const_cast<std::byte*>(data.data()), data.size(), true, "send", true};
  }
  internal::TransferAwaiter write_all(std::string_view data) { return write_all(std::as_bytes(std::span(data))); }

  // Half-close: the peer reads end of stream; this side can still read.
  void shutdown_write();
  // Closes the socket; what is in flight on it fails with ECANCELED.
  Task<void> close() { return socket_.close(); }
  bool is_open() const noexcept { return socket_.is_open(); }

  SocketAddress peername() const { return socket_.peername(); }
  SocketAddress sockname() const { return socket_.sockname(); }
  void set_nodelay(bool on);
  // The descriptor, or -1 once closed. It stays the stream's.
  std::intptr_t native_handle() const noexcept { return socket_.fd(); }

 private:
  internal::SocketHandle socket_;
};

struct ListenOptions {
  int backlog = 128;
  bool reuse_address = true;  // SO_REUSEADDR (TCP only; SO_EXCLUSIVEADDRUSE on Windows)
  bool reuse_port = false;    // SO_REUSEPORT
};

class TcpListener {
 public:
  TcpListener() = default;
  TcpListener(TcpListener&& other) noexcept
      : socket_(std::move(other.socket_)), unix_path_(std::exchange(other.unix_path_, {})), is_tcp_(other.is_tcp_) {}
  TcpListener& operator=(TcpListener&&) noexcept;
  ~TcpListener();

  // Listens on the first address `host` resolves to (an empty host: the
  // wildcard address); port 0 picks a free port. SO_REUSEADDR is on.
  static Task<TcpListener> bind(std::string host, std::uint16_t port, ListenOptions options = {});
  static TcpListener bind(const SocketAddress& address, ListenOptions options = {});
  // A Unix-domain listener; a stale socket file at `path` is replaced, and
  // the file is removed again when the listener closes.
  static TcpListener bind_unix(const std::string& path, ListenOptions options = {});

  // Waits for the next connection (TCP_NODELAY on, for TCP).
  Task<TcpStream> accept();

  std::uint16_t port() const { return sockname().port(); }
  SocketAddress sockname() const { return socket_.sockname(); }
  // Stops listening; a pending accept() fails with ECANCELED.
  Task<void> close();
  bool is_open() const noexcept { return socket_.is_open(); }
  std::intptr_t native_handle() const noexcept { return socket_.fd(); }

 private:
  friend class Server;  // close() stops listening at once
  // Refuses new connections from now on; close() is still due. How depends
  // on the OS: shutdown(2) on POSIX, closing the socket on Windows, which
  // also aborts a pending accept().
  void stop_listening() noexcept;
  void remove_unix_path() noexcept;

  internal::SocketHandle socket_;
  std::string unix_path_;  // the file to remove on close, for Unix sockets
  bool is_tcp_ = false;
};

}  // namespace coio
