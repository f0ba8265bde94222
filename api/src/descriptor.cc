#include "coio/descriptor.h"

#include "coio/internal/io_awaiter.h"

namespace coio {
namespace {

Task<void> wait_for_events(std::intptr_t fd, std::uint32_t events, const char* what) {
  internal::IoAwaiter op(what);
  op.code = OpCode::kPoll;
  op.handle = fd;
  op.poll_events = events;
  co_await op;
}

}  // namespace

Task<void> wait_readable(std::intptr_t fd) { return wait_for_events(fd, kPollIn, "wait_readable"); }

Task<void> wait_writable(std::intptr_t fd) { return wait_for_events(fd, kPollOut, "wait_writable"); }

Task<std::size_t> read_some(std::intptr_t fd, std::span<std::byte> buffer) {
  internal::IoAwaiter op("read");
  op.code = OpCode::kRead;
  op.handle = fd;
  op.buffer = buffer.data();
  op.length = buffer.size();
  co_return static_cast<std::size_t>(co_await op);
}

Task<std::size_t> write_some(std::intptr_t fd, std::span<const std::byte> data) {
  internal::IoAwaiter op("write");
  op.code = OpCode::kWrite;
  op.handle = fd;
  op.buffer = const_cast<std::byte*>(data.data());
  op.length = data.size();
  co_return static_cast<std::size_t>(co_await op);
}

}  // namespace coio
