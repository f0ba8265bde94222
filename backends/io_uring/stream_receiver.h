// backends/io_uring/stream_receiver.h: kRecv on stream sockets through one
// multishot receive per socket, drawing from a ring of provided buffers.
//
// A one-shot recv costs a submission, a file lookup and, when no data is
// there yet, a failed attempt and a poll to arm, every time. A multishot
// receive stays armed in the kernel between the caller's kRecv operations:
// each completion's bytes are copied into the buffer of the kRecv waiting
// for them, or kept for the next one. Each kRecv still completes exactly
// once, with bytes or an error, or cancelled.
//
// What it keeps sound:
// - A cancelled kRecv's buffer is never written: bytes only go into the
//   buffer of a kRecv waiting right now. Cancelling stops the socket's
//   multishot receive, so nothing more leaves the socket.
// - Bytes taken from the socket are never lost: they wait in order for the
//   next kRecv, until the socket is forgotten.
// - Flow control: when bytes arrive with no kRecv waiting, the multishot
//   receive is stopped, so a reader that stops reading lets the socket (and
//   the sender's window) fill up as with one-shot receives.
// - The kernel's hold on the socket ends with forget(), which kClose and
//   Backend::release_handle() call before the descriptor is closed.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <vector>

#include "backends/io_uring/buffer_ring.h"
#include "backends/io_uring/descriptor_table.h"
#include "coio/backend.h"

namespace coio::internal {

// What the receiver needs from the backend.
class ReceiverHost {
 public:
  virtual io_uring_sqe* get_sqe() = 0;
  // Completes `op` now (from inside run()): res is bytes, or -errno.
  virtual void finish(Operation& op, int res) noexcept = 0;
  // Completes `op` at the next run().
  virtual void finish_later(Operation& op, int res) = 0;
  // `op` goes the one-shot way after all.
  virtual void submit_one_shot(Operation& op) = 0;

 protected:
  ~ReceiverHost() = default;
};

class StreamReceiver {
 public:
  // Tags in a completion's user_data: the low bit is set for the receiver's
  // own requests (Operation pointers are aligned, so theirs is clear).
  static bool owns(std::uint64_t user_data) noexcept { return (user_data & 1) != 0 && user_data != 1; }

  StreamReceiver(io_uring& ring, ReceiverHost& host) noexcept : ring_(ring), host_(host) {}
  StreamReceiver(const StreamReceiver&) = delete;
  StreamReceiver& operator=(const StreamReceiver&) = delete;

  // Sets up the buffer ring; false when the kernel cannot do it (then
  // every kRecv stays one-shot).
  bool enable() noexcept;
  bool enabled() const noexcept { return buffers_.registered(); }

  // Takes a kRecv on a stream socket.
  void start(Operation& op);
  // Cancels `op` if it waits here; false if it is not the receiver's.
  bool cancel(Operation& op);
  // A completion of one of the receiver's multishot receives.
  void on_completion(std::uint64_t user_data, int res, std::uint32_t flags);
  // The descriptor is about to be closed: drops what was kept for it and
  // stops its multishot receive.
  void forget(std::intptr_t fd);
  // Makes the buffers given back this turn visible to the kernel.
  void publish() noexcept { buffers_.publish(); }
  // True while some multishot receive may still write into the buffers.
  bool armed() const noexcept { return armed_count_ > 0; }
  // Asks the kernel to stop every multishot receive (the backend is going).
  void stop_all();
  // For a backend that could not wait for them to stop.
  void leak_buffers() noexcept { buffers_.leak(); }

 private:
  struct Chunk {
    std::uint16_t buffer;  // kNoBuffer: an end of stream (res 0) or error
    std::uint32_t offset;
    std::uint32_t length;
    int res;
  };
  static constexpr std::uint16_t kNoBuffer = 0xffff;

  struct Stream {
    int fd = -1;
    Operation* waiting = nullptr;
    bool waiting_cancelled = false;
    bool armed = false;     // a multishot receive is in the kernel
    bool stopping = false;  // and was asked to stop
    bool orphaned = false;  // forgotten: freed when the kernel lets go
    std::vector<Chunk> kept;
  };

  void arm(Stream& s);
  void stop(Stream& s);
  // Moves kept bytes into `op`'s buffer: the result to report.
  int take(Stream& s, Operation& op) noexcept;
  void deliver(Stream& s, int res, std::uint32_t flags, bool stopped);
  void drop_kept(Stream& s) noexcept;

  io_uring& ring_;
  ReceiverHost& host_;
  BufferRing buffers_;
  DescriptorTable<Stream> streams_;
  unsigned armed_count_ = 0;
};

}  // namespace coio::internal
