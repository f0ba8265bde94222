// coio/streams.h: asyncio streams — open_connection, start_server,
// StreamReader and StreamWriter, over TCP and Unix-domain sockets.
//
//   coio::Task<void> handle(coio::StreamReader reader, coio::StreamWriter writer) {
//     std::string line = co_await reader.readline();
//     writer.write(line);
//     co_await writer.drain();
//     writer.close();
//     co_await writer.wait_closed();
//   }
//   auto server = co_await coio::start_server(handle, "127.0.0.1", 8888);
//   co_await server.serve_forever();
//
// Semantics are asyncio's: write() buffers and never blocks; drain() waits
// while the buffer is above the high-water mark (64 KiB; set with
// set_write_buffer_limits) and raises the connection's error; close()
// sends what is buffered, then closes, and a read pending on the same
// connection sees end of stream. A reader and its writer share the
// connection: copies are handles to the same one, and the last of them to go
// closes it (after sending what was written).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coio/generator.h"
#include "coio/socket_address.h"
#include "coio/task.h"
#include "coio/tcp.h"

namespace coio {

// readexactly() or readuntil() met the end of the stream first
// (asyncio.IncompleteReadError). partial() holds the bytes that did come;
// they are consumed.
class IncompleteReadError : public std::runtime_error {
 public:
  // `expected` is the byte count asked for, or npos for readuntil().
  IncompleteReadError(std::string partial, std::size_t expected);
  const std::string& partial() const noexcept { return partial_; }
  std::size_t expected() const noexcept { return expected_; }

 private:
  std::string partial_;
  std::size_t expected_;
};

// readuntil() found no separator within the reader's limit
// (asyncio.LimitOverrunError). consumed() is how many bytes are to be
// consumed to get past the limit; the data stays in the reader's buffer.
class LimitOverrunError : public std::runtime_error {
 public:
  LimitOverrunError(const std::string& message, std::size_t consumed);
  std::size_t consumed() const noexcept { return consumed_; }

 private:
  std::size_t consumed_;
};

namespace internal {
class StreamConnection;
}
class StreamWriter;

class StreamReader {
 public:
  static constexpr std::size_t kDefaultLimit = 64 * 1024;

  StreamReader() = default;

  // Up to n bytes, at least one unless at end of stream (""); n = -1 reads
  // to the end of the stream.
  Task<std::string> read(std::ptrdiff_t n = -1);
  // One line, with its "\n"; at the end of the stream, what is left (maybe
  // ""). A line past the limit throws LimitOverrunError and is discarded.
  Task<std::string> readline();
  // Exactly n bytes, or IncompleteReadError.
  Task<std::string> readexactly(std::size_t n);
  // Up to and including `separator`, or IncompleteReadError at the end of
  // the stream, or LimitOverrunError.
  Task<std::string> readuntil(std::string separator = "\n");
  // The stream has ended and the buffer is empty.
  bool at_eof() const;
  // Each line in turn until the end of the stream (`async for line in reader`).
  AsyncGenerator<std::string> lines();

  std::size_t limit() const;
  void set_limit(std::size_t limit);

 private:
  friend class StreamWriter;
  friend std::pair<StreamReader, StreamWriter> make_streams(TcpStream stream, std::size_t limit);
  explicit StreamReader(std::shared_ptr<internal::StreamConnection> c) noexcept : connection_(std::move(c)) {}
  std::shared_ptr<internal::StreamConnection> connection_;
};

class StreamWriter {
 public:
  StreamWriter() = default;

  // Queues `data` to be sent; never blocks. After close() or a connection
  // error it is dropped (drain() reports the error).
  void write(std::string_view data);
  // Waits while the buffer is above the high-water mark; throws the
  // connection's error (e.g. std::system_error with EPIPE or ECONNRESET).
  Task<void> drain();
  // Half-close once the buffer is sent: the peer reads end of stream.
  void write_eof();
  bool can_write_eof() const noexcept { return true; }
  // Sends what is buffered, then closes the connection.
  void close();
  bool is_closing() const;
  // Waits until the connection is closed.
  Task<void> wait_closed();

  // Bytes written and not yet sent.
  std::size_t write_buffer_size() const;
  // Flow control: drain() waits above `high` until the buffer is at or below
  // `low` (asyncio's defaults: 64 KiB and 16 KiB).
  void set_write_buffer_limits(std::size_t high, std::size_t low);

  // The connection's two ends; they still answer after close().
  SocketAddress peername() const;
  SocketAddress sockname() const;

 private:
  friend std::pair<StreamReader, StreamWriter> make_streams(TcpStream stream, std::size_t limit);
  explicit StreamWriter(std::shared_ptr<internal::StreamConnection> c) noexcept : connection_(std::move(c)) {}
  std::shared_ptr<internal::StreamConnection> connection_;
};

// A reader and writer on a connected stream socket.
std::pair<StreamReader, StreamWriter> make_streams(TcpStream stream,
                                                   std::size_t limit = StreamReader::kDefaultLimit);

// Connects to `host`:`port` (names resolve off the loop; TCP_NODELAY is on).
// A connect timeout is coio::wait_for(open_connection(...), 5s).
Task<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port,
                                                            std::size_t limit = StreamReader::kDefaultLimit);
Task<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path,
                                                                 std::size_t limit = StreamReader::kDefaultLimit);

// Runs for each client, as a task of its own.
using ClientHandler = std::function<Task<void>(StreamReader, StreamWriter)>;

struct ServerOptions {
  ListenOptions listen;  // backlog, SO_REUSEADDR (on), SO_REUSEPORT
  std::size_t limit = StreamReader::kDefaultLimit;
};

namespace internal {
struct ServerState;
}

class Server {
 public:
  Server() = default;

  // The port of the (first) listening socket.
  std::uint16_t port() const;
  std::vector<SocketAddress> sockets() const;
  bool is_serving() const;
  // Stops listening, and cancels the client handlers still running.
  void close();
  // Waits until closed and every client handler has finished.
  Task<void> wait_closed();
  // Serves until close(); cancelling it closes the server.
  Task<void> serve_forever();

 private:
  friend Task<Server> start_listening(ClientHandler handler, std::vector<TcpListener> listeners, ServerOptions options);
  explicit Server(std::shared_ptr<internal::ServerState> s) noexcept : state_(std::move(s)) {}
  std::shared_ptr<internal::ServerState> state_;
};

// Listens on every address `host` resolves to (an empty host: all
// interfaces), all on the same port (0: a free one), and runs
// handler(reader, writer) for each client. A handler that throws is
// reported on stderr; the server goes on serving.
Task<Server> start_server(ClientHandler handler, std::string host, std::uint16_t port, ServerOptions options = {});
// The same on a Unix-domain socket at `path` (a stale socket file there is
// replaced; the file is removed when the server closes).
Task<Server> start_unix_server(ClientHandler handler, std::string path, ServerOptions options = {});
// The same on listeners the caller made.
Task<Server> start_listening(ClientHandler handler, std::vector<TcpListener> listeners, ServerOptions options = {});

}  // namespace coio
