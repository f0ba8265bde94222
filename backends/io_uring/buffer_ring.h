// backends/io_uring/buffer_ring.h: a ring of provided buffers that the
// kernel fills for multishot receives (IORING_REGISTER_PBUF_RING).
//
// The kernel takes buffers in ring order; a completion names the one it
// filled by its id, and the backend gives it back once the bytes are copied
// out. Returns are published to the kernel in a batch (publish()), once per
// loop turn.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>

namespace coio::internal {

class BufferRing {
 public:
  static constexpr unsigned kCount = 256;  // a power of two
  static constexpr unsigned kSize = 4096;  // bytes per buffer

  BufferRing() = default;
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;
  // Call only once the kernel can no longer write to the buffers (the ring
  // has been exited, or every receive that selects from it has ended).
  ~BufferRing();

  // Registers the ring as buffer group `group` of `ring`; false (and the
  // ring unused) when the kernel or memory refuses.
  bool register_with(io_uring& ring, std::uint16_t group) noexcept;
  bool registered() const noexcept { return ring_ != nullptr; }

  std::byte* data(std::uint16_t id) const noexcept { return buffers_ + std::size_t{id} * kSize; }
  // Hands buffer `id` back; the kernel sees it after the next publish().
  void give_back(std::uint16_t id) noexcept;
  void publish() noexcept;
  // Leaves the memory mapped for good, for when the kernel may still write.
  void leak() noexcept { ring_ = nullptr, buffers_ = nullptr; }

 private:
  io_uring_buf_ring* ring_ = nullptr;
  std::byte* buffers_ = nullptr;
  unsigned unpublished_ = 0;
};

}  // namespace coio::internal
