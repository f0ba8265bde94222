// coio/internal/frame_pool.h: recycled coroutine frames.
//
// Task frames are allocated and freed at a high rate (a spawn costs one
// frame), so each thread carves frames of each size class out of slabs and
// reuses freed ones instead of going back to the global allocator. A frame
// is freed on the thread that allocated it. Under AddressSanitizer the pool
// is bypassed so use-after-free of a frame is still caught.
#pragma once

#include <cstddef>

namespace coio::internal {

void* allocate_frame(std::size_t size);
void free_frame(void* frame, std::size_t size) noexcept;

}  // namespace coio::internal
