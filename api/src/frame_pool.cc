#include "coio/internal/frame_pool.h"

#include <new>

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
constexpr std::size_t kMaxCachedPerClass = 4096;

struct FreeFrame {
  FreeFrame* next;
};

class FramePool {
 public:
  ~FramePool() {
    for (auto& list : lists_) {
      while (list.head) {
        FreeFrame* f = list.head;
        list.head = f->next;
        ::operator delete(f);
      }
    }
  }

  void* allocate(std::size_t cls) {
    List& list = lists_[cls];
    if (FreeFrame* f = list.head) {
      list.head = f->next;
      --list.count;
      return f;
    }
    return ::operator new((cls + 1) * kGranule);
  }

  void free(void* p, std::size_t cls) noexcept {
    List& list = lists_[cls];
    if (list.count == kMaxCachedPerClass) {
      ::operator delete(p);
      return;
    }
    auto* f = static_cast<FreeFrame*>(p);
    f->next = list.head;
    list.head = f;
    ++list.count;
  }

 private:
  struct List {
    FreeFrame* head = nullptr;
    std::size_t count = 0;
  };
  List lists_[kClasses];
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
