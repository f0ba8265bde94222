// tests/support/slowdown.h: how many times slower a sanitizer build runs,
// for the few time bounds over real work (a thousand connections served, a
// 16 MiB copy) that stand for "did not wait": ThreadSanitizer slows every
// memory access, AddressSanitizer less so.
#pragma once

namespace coio::testing {

#if defined(__SANITIZE_THREAD__)
#define COIO_TESTING_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define COIO_TESTING_TSAN 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__)
#define COIO_TESTING_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COIO_TESTING_ASAN 1
#endif
#endif

#if defined(COIO_TESTING_TSAN)
inline constexpr int kSanitizerSlowdown = 5;
#elif defined(COIO_TESTING_ASAN)
inline constexpr int kSanitizerSlowdown = 2;
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif

}  // namespace coio::testing
