#include "coio/internal/frame_pool.h"

#include <new>
#include <vector>

namespace coio::internal {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPoolEnabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kPoolEnabled = false;
#else
constexpr bool kPoolEnabled = true;
#endif
#else
constexpr bool kPoolEnabled = true;
#endif

constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 32;  // frames up to 2 KiB are pooled
constexpr std::size_t kSlabBytes = 64 * 1024;

struct FreeFrame {
  FreeFrame* next;
};

// Frames of one size class come from 64 KiB slabs, handed out front to back,
// and freed frames are reused first. A burst of many live frames (100,000
// sleeping tasks) then costs one allocation per slab, not one per frame.
// Slabs go back to the system when the thread ends, so a frame must be
// freed on the thread that allocated it (the loop's).
class FramePool {
 public:
  ~FramePool() {
    for (void* slab : slabs_) ::operator delete(slab);
  }

  void* allocate(std::size_t cls) {
    List& list = lists_[cls];
    if (FreeFrame* f = list.free) {
      list.free = f->next;
      return f;
    }
    const std::size_t size = (cls + 1) * kGranule;
    if (list.next == list.end) {
      char* slab = static_cast<char*>(::operator new(kSlabBytes));
      slabs_.push_back(slab);
      list.next = slab;
      list.end = slab + (kSlabBytes / size) * size;
    }
    void* frame = list.next;
    list.next += size;
    return frame;
  }

  void free(void* p, std::size_t cls) noexcept {
    List& list = lists_[cls];
    auto* f = static_cast<FreeFrame*>(p);
    f->next = list.free;
    list.free = f;
  }

 private:
  struct List {
    FreeFrame* free = nullptr;
    char* next = nullptr;  // the unused rest of the newest slab
    char* end = nullptr;
  };
  List lists_[kClasses];
  std::vector<void*> slabs_;
};

thread_local FramePool t_pool;

std::size_t size_class(std::size_t size) { return (size - 1) / kGranule; }

}  // namespace

void* allocate_frame(std::size_t size) {
  if (!kPoolEnabled || size == 0 || size_class(size) >= kClasses) {
    return ::operator new(size);
  }
  return t_pool.allocate(size_class(size));
}

void free_frame(void* frame, std::size_t size) noexcept {
  if (!kPoolEnabled || size == 0 || size_class(size) >= kClasses) {
    ::operator delete(frame);
    return;
  }
  t_pool.free(frame, size_class(size));
}

}  // namespace coio::internal
