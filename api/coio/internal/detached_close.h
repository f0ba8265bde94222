// coio/internal/detached_close.h: closing a descriptor from a destructor
// without blocking the loop.
#pragma once

#include <cstdint>

namespace coio::internal {

// Closes `fd` through the current loop's backend, with no one waiting for
// it (the loop still waits for it before it ends); with close(2) when this
// thread runs no loop.
void close_detached(std::intptr_t fd) noexcept;

}  // namespace coio::internal
