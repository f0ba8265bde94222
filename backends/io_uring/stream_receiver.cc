#include "backends/io_uring/stream_receiver.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace coio::internal {
namespace {

constexpr std::uint16_t kBufferGroup = 0;

}  // namespace

bool StreamReceiver::enable() noexcept { return buffers_.register_with(ring_, kBufferGroup); }

void StreamReceiver::start(Operation& op) {
  Stream& s = streams_.get(static_cast<int>(op.handle));
  if (!s.kept.empty()) {
    host_.finish_later(op, take(s, op));
    return;
  }
  s.waiting = &op;
  s.waiting_cancelled = false;
  if (!s.armed) arm(s);
}

bool StreamReceiver::cancel(Operation& op) {
  Stream* s = streams_.find(op.handle);
  if (s == nullptr || s->waiting != &op) return false;
  s->waiting_cancelled = true;
  // The op completes, cancelled, when the multishot receive has ended, so
  // that no byte leaves the socket after it.
  stop(*s);
  return true;
}

void StreamReceiver::arm(Stream& s) {
  io_uring_sqe* sqe = host_.get_sqe();
  io_uring_prep_recv_multishot(sqe, s.fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = kBufferGroup;
  io_uring_sqe_set_data64(sqe, reinterpret_cast<std::uintptr_t>(&s) | 1);
  s.armed = true;
  s.stopping = false;
  ++armed_count_;
}

void StreamReceiver::stop(Stream& s) {
  if (!s.armed || s.stopping) return;
  io_uring_sqe* sqe = host_.get_sqe();
  io_uring_prep_cancel64(sqe, reinterpret_cast<std::uintptr_t>(&s) | 1, 0);
  io_uring_sqe_set_data64(sqe, 1);  // the backend's tag for cancels
  s.stopping = true;
}

int StreamReceiver::take(Stream& s, Operation& op) noexcept {
  std::size_t copied = 0;
  std::size_t erased = 0;
  int res = 0;
  for (Chunk& c : s.kept) {
    if (c.buffer == kNoBuffer) {
      // An end or an error is reported on its own, after the bytes before it.
      if (copied == 0) {
        res = c.res;
        ++erased;
      }
      break;
    }
    const std::size_t n = std::min<std::size_t>(c.length, op.length - copied);
    std::memcpy(static_cast<std::byte*>(op.buffer) + copied, buffers_.data(c.buffer) + c.offset, n);
    copied += n;
    c.offset += static_cast<std::uint32_t>(n);
    c.length -= static_cast<std::uint32_t>(n);
    if (c.length > 0) break;
    buffers_.give_back(c.buffer);
    ++erased;
    if (copied == op.length) break;
  }
  s.kept.erase(s.kept.begin(), s.kept.begin() + static_cast<std::ptrdiff_t>(erased));
  return copied > 0 ? static_cast<int>(copied) : res;
}

void StreamReceiver::on_completion(std::uint64_t user_data, int res, std::uint32_t flags) {
  Stream& s = *reinterpret_cast<Stream*>(user_data & ~std::uint64_t{1});
  const bool more = (flags & IORING_CQE_F_MORE) != 0;
  const bool stopped = s.stopping;
  if (!more) {
    s.armed = false;
    s.stopping = false;
    --armed_count_;
  }
  if (s.orphaned) {
    if (flags & IORING_CQE_F_BUFFER) buffers_.give_back(static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT));
    if (!more) delete &s;
    return;
  }
  deliver(s, res, flags, stopped);
  if (s.waiting != nullptr && !s.armed) {
    if (s.waiting_cancelled) {
      Operation& op = *std::exchange(s.waiting, nullptr);
      host_.finish(op, -ECANCELED);
    } else {
      arm(s);
    }
  }
}

void StreamReceiver::deliver(Stream& s, int res, std::uint32_t flags, bool stopped) {
  if (res > 0) {
    const auto buffer = static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
    if (s.waiting != nullptr && s.kept.empty()) {
      // The common case: straight into the waiting buffer.
      Operation& op = *std::exchange(s.waiting, nullptr);
      const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(res), op.length);
      std::memcpy(op.buffer, buffers_.data(buffer), n);
      if (n < static_cast<std::size_t>(res)) {
        s.kept.push_back({buffer, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(res - n), 0});
        stop(s);
      } else {
        buffers_.give_back(buffer);
      }
      host_.finish(op, static_cast<int>(n));
      return;
    }
    s.kept.push_back({buffer, 0, static_cast<std::uint32_t>(res), 0});
  } else if (res == -ENOBUFS) {
    // Every buffer is taken: this read goes the one-shot way.
    if (s.waiting != nullptr && !s.waiting_cancelled) host_.submit_one_shot(*std::exchange(s.waiting, nullptr));
    return;
  } else if (res == -ECANCELED && stopped) {
    return;  // stopped by stop(): nothing to report
  } else if (res <= 0 && !(flags & IORING_CQE_F_MORE)) {
    s.kept.push_back({kNoBuffer, 0, 0, res});
  } else {
    return;
  }
  if (s.waiting != nullptr) {
    Operation& op = *std::exchange(s.waiting, nullptr);
    host_.finish(op, take(s, op));
  }
  // Bytes nobody waits for: stop taking more, so the socket fills up and
  // the sender slows down, as it would without this receive.
  if (!s.kept.empty()) stop(s);
}

void StreamReceiver::forget(std::intptr_t fd) {
  Stream* s = streams_.release(fd);
  if (s == nullptr) return;
  drop_kept(*s);
  if (s->waiting != nullptr) host_.finish_later(*std::exchange(s->waiting, nullptr), -ECANCELED);
  if (!s->armed) {
    delete s;
    return;
  }
  stop(*s);
  s->orphaned = true;
}

void StreamReceiver::drop_kept(Stream& s) noexcept {
  for (const Chunk& c : s.kept) {
    if (c.buffer != kNoBuffer) buffers_.give_back(c.buffer);
  }
  s.kept.clear();
}

void StreamReceiver::stop_all() {
  streams_.for_each([this](Stream& s) { stop(s); });
}

}  // namespace coio::internal
