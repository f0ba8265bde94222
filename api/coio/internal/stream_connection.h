// coio/internal/stream_connection.h: what a StreamReader and its
// StreamWriter share — the socket, the read buffer, and the write buffer
// with the task that sends it.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "coio/internal/wait_list.h"
#include "coio/task.h"
#include "coio/tcp.h"

namespace coio::internal {

class StreamConnection : public std::enable_shared_from_this<StreamConnection> {
 public:
  StreamConnection(TcpStream stream, std::size_t limit) noexcept;

  // ---- reading
  // The bytes received and not yet consumed.
  std::string_view buffered() const noexcept { return {read_buffer_.data() + read_begin_, read_end_ - read_begin_}; }
  // Consumes n buffered bytes and returns them.
  std::string take(std::size_t n);
  // Receives more into the buffer; false at the end of the stream (or when
  // the connection was closed here). Throws the connection's error.
  Task<bool> fill();
  bool eof() const noexcept { return eof_; }

  // ---- writing
  void write(std::string_view data);
  Task<void> drain();
  void write_eof();
  void close();
  bool closing() const noexcept { return close_requested_; }
  Task<void> wait_closed();
  std::size_t write_buffer_size() const noexcept { return pending_.size() + (sending_.size() - sent_); }
  void set_write_buffer_limits(std::size_t high, std::size_t low) noexcept {
    high_water_ = high;
    low_water_ = low;
    if (write_buffer_size() > high_water_) {
      paused_ = true;
    } else if (paused_ && write_buffer_size() <= low_water_) {
      paused_ = false;
      drain_waiters_.wake_all();
    }
  }

  const TcpStream& stream() const noexcept { return stream_; }
  // The addresses as they were when the connection was made: they still
  // answer once it is closed, as asyncio's get_extra_info() does.
  SocketAddress peername() const { return peername_.empty() ? stream_.peername() : peername_; }
  SocketAddress sockname() const { return sockname_.empty() ? stream_.sockname() : sockname_; }
  std::size_t read_limit() const noexcept { return limit_; }
  void set_read_limit(std::size_t limit) noexcept { limit_ = limit; }

 private:
  // Sends the buffer until it is empty, then does what was asked meanwhile
  // (write_eof, close). One at a time; started by write() and close().
  static Task<void> flush(std::shared_ptr<StreamConnection> self);
  void start_flush();
  Task<void> shut_down();

  TcpStream stream_;
  std::size_t limit_;
  SocketAddress peername_;
  SocketAddress sockname_;

  std::string read_buffer_;
  std::size_t read_begin_ = 0;
  std::size_t read_end_ = 0;
  bool eof_ = false;

  std::string sending_;  // in the kernel's hands while a send is in flight
  std::size_t sent_ = 0;
  std::string pending_;  // written meanwhile
  std::size_t high_water_ = 64 * 1024;
  std::size_t low_water_ = 16 * 1024;
  bool paused_ = false;  // above the high-water mark since; until the low one
  bool flushing_ = false;
  bool eof_requested_ = false;
  bool eof_sent_ = false;
  bool close_requested_ = false;
  bool closed_ = false;
  std::exception_ptr write_error_;
  WaitList drain_waiters_;
  WaitList closed_waiters_;
};

}  // namespace coio::internal
