#include "memory.h"

#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <string>

#if defined(_WIN32)
#include <windows.h>
#include <psapi.h>
#endif

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

#if defined(_WIN32)
// The working set is Windows' resident memory, and its peak the high-water
// mark (Wine reads both from Linux's VmRSS and VmHWM).
long memory_kib(const char* field) {
  PROCESS_MEMORY_COUNTERS counters{};
  counters.cb = sizeof counters;
  if (!::GetProcessMemoryInfo(::GetCurrentProcess(), &counters, sizeof counters)) return -1;
  const std::string name = field;
  if (name == "VmRSS") return static_cast<long>(counters.WorkingSetSize / 1024);
  if (name == "VmHWM") return static_cast<long>(counters.PeakWorkingSetSize / 1024);
  return -1;
}

// Windows keeps the peak for the life of the process and cannot reset it.
// The peak so far is never below the peak from now on, so a check of growth
// against it is only stricter: true, the caller may go on.
bool reset_peak_memory() { return true; }
#else
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
#endif

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
