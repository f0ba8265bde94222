#include "coio/internal/stream_connection.h"

#include <system_error>

#include "coio/errors.h"
#include "coio/task_handle.h"

namespace coio::internal {
namespace {

// Receive room kept free in the read buffer (asyncio reads 64 KiB at a time).
constexpr std::size_t kReadChunk = 64 * 1024;

bool is_closed_here(const std::system_error& e) {
  return e.code() == std::errc::operation_canceled;
}

}  // namespace

StreamConnection::StreamConnection(TcpStream stream, std::size_t limit) noexcept
    : stream_(std::move(stream)), limit_(limit) {
  // Kept for after close; a peer already gone leaves them to be asked later.
  try {
    peername_ = stream_.peername();
    sockname_ = stream_.sockname();
  } catch (const std::exception&) {
  }
}

std::string StreamConnection::take(std::size_t n) {
  std::string out(read_buffer_.data() + read_begin_, n);
  read_begin_ += n;
  if (read_begin_ == read_end_) read_begin_ = read_end_ = 0;
  return out;
}

Task<bool> StreamConnection::fill() {
  if (eof_) co_return false;
  if (!stream_.is_open()) {  // closed by the writer
    eof_ = true;
    co_return false;
  }
  if (read_buffer_.size() - read_end_ < kReadChunk / 4) {
    if (read_begin_ > 0) {  // move what is left to the front first
      read_buffer_.erase(0, read_begin_);
      read_end_ -= read_begin_;
      read_begin_ = 0;
    }
    read_buffer_.resize(read_end_ + kReadChunk);
  }
  std::size_t n = 0;
  try {
    n = co_await stream_.read_some(std::as_writable_bytes(
        std::span(read_buffer_.data() + read_end_, read_buffer_.size() - read_end_)));
  } catch (const std::system_error& e) {
    if (!is_closed_here(e)) throw;
  }
  if (n == 0) {
    eof_ = true;
    co_return false;
  }
  read_end_ += n;
  co_return true;
}

void StreamConnection::write(std::string_view data) {
  if (data.empty() || close_requested_ || eof_requested_ || write_error_) return;
  pending_.append(data);
  if (write_buffer_size() > high_water_) paused_ = true;
  start_flush();
}

void StreamConnection::start_flush() {
  if (flushing_) return;
  flushing_ = true;
  create_task(flush(shared_from_this()));
}

Task<void> StreamConnection::flush(std::shared_ptr<StreamConnection> self) {
  StreamConnection& c = *self;
  try {
    while (!c.pending_.empty()) {
      c.sending_.swap(c.pending_);
      c.pending_.clear();
      c.sent_ = 0;
      while (c.sent_ < c.sending_.size()) {
        const std::size_t n = co_await c.stream_.write_some(
            std::as_bytes(std::span(c.sending_.data() + c.sent_, c.sending_.size() - c.sent_)));
        c.sent_ += n;
        if (c.paused_ && c.write_buffer_size() <= c.low_water_) {
          c.paused_ = false;
          c.drain_waiters_.wake_all();
        }
      }
      c.sending_.clear();
      c.sent_ = 0;
    }
    if (c.eof_requested_ && !c.eof_sent_ && !c.close_requested_) {
      c.eof_sent_ = true;
      c.stream_.shutdown_write();
    }
  } catch (const std::system_error& e) {
    // The connection is lost (EPIPE, ECONNRESET...): what is buffered is
    // dropped and drain() reports the error.
    c.write_error_ = std::current_exception();
    c.pending_.clear();
    c.sending_.clear();
    c.sent_ = 0;
  } catch (const CancelledError&) {
    c.flushing_ = false;
    c.drain_waiters_.wake_all();
    throw;
  }
  c.flushing_ = false;
  c.drain_waiters_.wake_all();
  if (c.close_requested_ && !c.closed_) co_await c.shut_down();
}

Task<void> StreamConnection::drain() {
  // As asyncio: writers pause above the high-water mark and resume only at
  // or below the low-water mark.
  while (!write_error_ && !closed_ && paused_) co_await drain_waiters_.wait();
  if (write_error_) std::rethrow_exception(write_error_);
}

void StreamConnection::write_eof() {
  if (eof_requested_ || close_requested_) return;
  eof_requested_ = true;
  start_flush();
}

void StreamConnection::close() {
  if (close_requested_) return;
  close_requested_ = true;
  start_flush();
}

Task<void> StreamConnection::shut_down() {
  try {
    co_await stream_.close();
  } catch (const std::system_error&) {
    // close(2) gave the descriptor back anyway
  }
  closed_ = true;
  closed_waiters_.wake_all();
  drain_waiters_.wake_all();
}

Task<void> StreamConnection::wait_closed() {
  while (!closed_) co_await closed_waiters_.wait();
}

}  // namespace coio::internal
