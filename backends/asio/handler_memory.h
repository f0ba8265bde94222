// backends/asio/handler_memory.h: recycles the memory of Asio's
// per-operation state.
//
// Asio allocates a small block for every operation it starts. Its own
// recycling cache only works on a thread inside io_context::run(), and
// coroutines submit outside it, so every operation would reach malloc.
// HandlerAllocator, associated with a completion handler, returns the blocks
// here instead, where they wait for the next operation of the same size.
// Single-threaded: allocate and free on the loop's thread only.
#pragma once

#include <cstddef>
#include <new>

namespace coio::internal {

class HandlerMemory {
 public:
  HandlerMemory() = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  ~HandlerMemory() {
    for (Block*& head : free_) {
      while (head != nullptr) {
        Block* block = head;
        head = block->next;
        ::operator delete(block);
      }
    }
  }

  void* allocate(std::size_t size) {
    const std::size_t c = size_class(size);
    if (c == kUnpooled) return ::operator new(size);
    if (Block* block = free_[c]) {
      free_[c] = block->next;
      return block;
    }
    return ::operator new(kGranule* c);
  }

  void deallocate(void* p, std::size_t size) noexcept {
    const std::size_t c = size_class(size);
    if (c == kUnpooled) {
      ::operator delete(p);
      return;
    }
    free_[c] = new (p) Block{free_[c]};
  }

 private:
  struct Block {
    Block* next;
  };
  static constexpr std::size_t kGranule = 64;
  static constexpr std::size_t kClasses = 16;  // blocks up to 1 KiB are kept
  static constexpr std::size_t kUnpooled = 0;

  static std::size_t size_class(std::size_t size) {
    const std::size_t c = (size + kGranule - 1) / kGranule;
    return c <= kClasses ? c : kUnpooled;
  }

  Block* free_[kClasses + 1] = {};
};

template <typename T>
class HandlerAllocator {
 public:
  using value_type = T;

  explicit HandlerAllocator(HandlerMemory* memory) noexcept : memory_(memory) {}
  template <typename U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept  // NOLINT
      : memory_(other.memory_) {}

  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    return static_cast<T*>(memory_->allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    memory_->deallocate(p, n * sizeof(T));
  }

  friend bool operator==(const HandlerAllocator& a,
                         const HandlerAllocator& b) noexcept {
    return a.memory_ == b.memory_;
  }

 private:
  template <typename U>
  friend class HandlerAllocator;

  HandlerMemory* memory_;
};

}  // namespace coio::internal
