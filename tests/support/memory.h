// tests/support/memory.h: what a test that promises flat memory measures.
#pragma once

namespace coio::testing {

// Kilobytes of the process's resident memory: "VmRSS", or its peak "VmHWM"
// (on Windows the working set and its peak).
long memory_kib(const char* field);
// Resets VmHWM to the current RSS (Linux 4.0+); false when it cannot. On
// Windows the peak cannot be reset and stays the process's highest so far,
// which only makes a check of growth against it stricter: true there.
bool reset_peak_memory();
// Bytes allocated and not freed, as ASan counts them; -1 without ASan
// (resident memory is the measure there).
long long live_heap_bytes();
// True in an AddressSanitizer build, where freed memory sits in a
// quarantine and resident memory grows by some 300 MiB however flat the
// program's own use is: check live_heap_bytes() there.
bool under_asan();

}  // namespace coio::testing
