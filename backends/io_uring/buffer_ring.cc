#include "backends/io_uring/buffer_ring.h"

#include <sys/mman.h>

#include <cstring>

namespace coio::internal {
namespace {

constexpr std::size_t kRingBytes = BufferRing::kCount * sizeof(io_uring_buf);
constexpr std::size_t kBufferBytes = std::size_t{BufferRing::kCount} * BufferRing::kSize;

void* map(std::size_t bytes) noexcept {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

}  // namespace

BufferRing::~BufferRing() {
  if (ring_ != nullptr) ::munmap(ring_, kRingBytes);
  if (buffers_ != nullptr) ::munmap(buffers_, kBufferBytes);
}

bool BufferRing::register_with(io_uring& ring, std::uint16_t group) noexcept {
  // Page-aligned, as the kernel requires of the ring.
  auto* entries = static_cast<io_uring_buf_ring*>(map(kRingBytes));
  auto* buffers = static_cast<std::byte*>(map(kBufferBytes));
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uintptr_t>(entries);
  reg.ring_entries = kCount;
  reg.bgid = group;
  if (entries == nullptr || buffers == nullptr || io_uring_register_buf_ring(&ring, &reg, 0) != 0) {
    if (entries != nullptr) ::munmap(entries, kRingBytes);
    if (buffers != nullptr) ::munmap(buffers, kBufferBytes);
    return false;
  }
  ring_ = entries;
  buffers_ = buffers;
  io_uring_buf_ring_init(ring_);
  for (unsigned id = 0; id < kCount; ++id) give_back(static_cast<std::uint16_t>(id));
  publish();
  return true;
}

void BufferRing::give_back(std::uint16_t id) noexcept {
  io_uring_buf_ring_add(ring_, data(id), kSize, id, io_uring_buf_ring_mask(kCount), static_cast<int>(unpublished_));
  ++unpublished_;
}

void BufferRing::publish() noexcept {
  if (unpublished_ == 0) return;
  io_uring_buf_ring_advance(ring_, static_cast<int>(unpublished_));
  unpublished_ = 0;
}

}  // namespace coio::internal
