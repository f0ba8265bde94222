// tests/support/wine.h: whether a Windows test runs under Wine, for the few
// checks where Wine is known to differ from Windows (docs/windows.md, "Where
// Wine differs from Windows"). Always false on POSIX.
#pragma once

#if defined(_WIN32)
#include <winsock2.h>  // before windows.h, which would bring the old winsock.h
#include <windows.h>
#endif

namespace coio::testing {

// True in a Windows program run by Wine (whose ntdll says so).
inline bool under_wine() {
#if defined(_WIN32)
  const HMODULE ntdll = ::GetModuleHandleA("ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
  return false;
#endif
}

}  // namespace coio::testing
