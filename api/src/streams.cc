#include "coio/streams.h"

#include <algorithm>
#include <stdexcept>

#include "coio/internal/stream_connection.h"

namespace coio {

IncompleteReadError::IncompleteReadError(std::string partial, std::size_t expected)
    : std::runtime_error("coio::IncompleteReadError: " + std::to_string(partial.size()) + " bytes read on a total of " +
                         (expected == std::string::npos ? std::string("undefined") : std::to_string(expected)) +
                         " expected bytes"),
      partial_(std::move(partial)),
      expected_(expected) {}

LimitOverrunError::LimitOverrunError(const std::string& message, std::size_t consumed)
    : std::runtime_error("coio::LimitOverrunError: " + message), consumed_(consumed) {}

std::pair<StreamReader, StreamWriter> make_streams(TcpStream stream, std::size_t limit) {
  auto connection = std::make_shared<internal::StreamConnection>(std::move(stream), limit);
  return {StreamReader(connection), StreamWriter(connection)};
}

// ---- StreamReader

Task<std::string> StreamReader::read(std::ptrdiff_t n) {
  internal::StreamConnection& c = *connection_;
  if (n == 0) co_return std::string();
  if (n < 0) {
    while (co_await c.fill()) {
    }
    co_return c.take(c.buffered().size());
  }
  if (c.buffered().empty()) co_await c.fill();
  co_return c.take(std::min(static_cast<std::size_t>(n), c.buffered().size()));
}

Task<std::string> StreamReader::readexactly(std::size_t n) {
  internal::StreamConnection& c = *connection_;
  while (c.buffered().size() < n) {
    if (!co_await c.fill()) throw IncompleteReadError(c.take(c.buffered().size()), n);
  }
  co_return c.take(n);
}

Task<std::string> StreamReader::readuntil(std::string separator) {
  if (separator.empty()) throw std::invalid_argument("coio::StreamReader::readuntil: the separator is empty");
  internal::StreamConnection& c = *connection_;
  std::size_t offset = 0;  // where the separator may start, in what was searched
  for (;;) {
    const std::string_view data = c.buffered();
    const std::size_t found = data.find(separator, offset);
    if (found != std::string_view::npos) {
      if (found > c.read_limit()) throw LimitOverrunError("the separator is found, but the chunk is longer than the limit", found);
      co_return c.take(found + separator.size());
    }
    offset = data.size() + 1 > separator.size() ? data.size() + 1 - separator.size() : 0;
    if (offset > c.read_limit()) throw LimitOverrunError("the separator is not found, and the chunk exceeds the limit", offset);
    if (!co_await c.fill()) throw IncompleteReadError(c.take(c.buffered().size()), std::string::npos);
  }
}

Task<std::string> StreamReader::readline() {
  internal::StreamConnection& c = *connection_;
  std::string line;
  try {
    line = co_await readuntil("\n");
  } catch (const IncompleteReadError& e) {
    line = e.partial();
  } catch (const LimitOverrunError& e) {
    // asyncio's behaviour: drop the line (through its "\n" when it is there).
    const bool separator_follows = c.buffered().substr(e.consumed()).starts_with('\n');
    c.take(separator_follows ? e.consumed() + 1 : c.buffered().size());
    throw;
  }
  co_return line;
}

bool StreamReader::at_eof() const { return connection_->eof() && connection_->buffered().empty(); }

namespace {

AsyncGenerator<std::string> read_lines(StreamReader reader) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) co_return;
    co_yield std::move(line);
  }
}

}  // namespace

AsyncGenerator<std::string> StreamReader::lines() { return read_lines(*this); }

std::size_t StreamReader::limit() const { return connection_->read_limit(); }
void StreamReader::set_limit(std::size_t limit) { connection_->set_read_limit(limit); }

// ---- StreamWriter

void StreamWriter::write(std::string_view data) { connection_->write(data); }
Task<void> StreamWriter::drain() { return connection_->drain(); }
void StreamWriter::write_eof() { connection_->write_eof(); }
void StreamWriter::close() { connection_->close(); }
bool StreamWriter::is_closing() const { return connection_->closing(); }
Task<void> StreamWriter::wait_closed() { return connection_->wait_closed(); }
std::size_t StreamWriter::write_buffer_size() const { return connection_->write_buffer_size(); }
void StreamWriter::set_write_buffer_limits(std::size_t high, std::size_t low) {
  if (low > high) throw std::invalid_argument("coio::StreamWriter: the low-water mark is above the high-water mark");
  connection_->set_write_buffer_limits(high, low);
}
SocketAddress StreamWriter::peername() const { return connection_->peername(); }
SocketAddress StreamWriter::sockname() const { return connection_->sockname(); }

// ---- connecting

Task<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port, std::size_t limit) {
  TcpStream stream = co_await TcpStream::connect(std::move(host), port);
  co_return make_streams(std::move(stream), limit);
}

Task<std::pair<StreamReader, StreamWriter>> open_unix_connection(std::string path, std::size_t limit) {
  TcpStream stream = co_await TcpStream::connect_unix(std::move(path));
  co_return make_streams(std::move(stream), limit);
}

}  // namespace coio
