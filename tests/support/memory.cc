#include "memory.h"

#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <string>

#if defined(__SANITIZE_ADDRESS__)
#define COIO_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COIO_TEST_ASAN 1
#endif
#endif

#ifdef COIO_TEST_ASAN
// From the sanitizer runtime (clang's <sanitizer/allocator_interface.h>;
// GCC ships no such header, but its libasan has the function).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace coio::testing {

long memory_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + key.size(), nullptr, 10);
  }
  return -1;
}

bool reset_peak_memory() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  clear.flush();
  return static_cast<bool>(clear);
}

long long live_heap_bytes() {
#ifdef COIO_TEST_ASAN
  return static_cast<long long>(__sanitizer_get_current_allocated_bytes());
#else
  return -1;
#endif
}

bool under_asan() {
#ifdef COIO_TEST_ASAN
  return true;
#else
  return false;
#endif
}

}  // namespace coio::testing
