// coio/internal/os.h: the core's few direct calls to the operating system
// (I/O itself goes through the backend). One implementation per platform,
// src/posix/os.cc or src/windows/os.cc, picked in api/BUILD.bazel; the #if
// below only picks the system's headers and flag values.
#pragma once

#include <cstdint>

#include "coio/internal/os_error.h"

#if defined(_WIN32)
#include <winsock2.h>  // before windows.h, which would bring the old winsock.h
#include <ws2tcpip.h>
#include <afunix.h>
#include <fcntl.h>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#endif

namespace coio::internal::os {

#if defined(_WIN32)
using Socket = SOCKET;
inline constexpr int kShutdownWrite = SD_SEND;
inline constexpr int kShutdownBoth = SD_BOTH;
// Open flags for OpCode::kOpen beside open_mode.cc's O_* access flags.
inline constexpr int kOpenCloseOnExec = O_NOINHERIT;
// No O_DIRECT: the IOCP backend reads this bit as FILE_FLAG_NO_BUFFERING.
inline constexpr int kOpenDirect = 0x10000000;
// getaddrinfo returns Winsock's own codes; none means "see errno".
inline constexpr int kResolveSystemError = 0;
inline constexpr int kReusePort = 0;  // none
// What ListenOptions::reuse_address sets on a TCP listener. SO_REUSEADDR on
// Windows would let a second listener share a port in use; exclusive use
// keeps a second bind there "address in use", as on POSIX.
inline constexpr int kReuseAddress = SO_EXCLUSIVEADDRUSE;
// shutdown() of a listening socket fails (WSAENOTCONN) and leaves it
// listening: only closing it refuses new connections.
inline constexpr bool kShutdownStopsListening = false;
#else
using Socket = int;
inline constexpr int kShutdownWrite = SHUT_WR;
inline constexpr int kShutdownBoth = SHUT_RDWR;
inline constexpr int kOpenCloseOnExec = O_CLOEXEC;
inline constexpr int kOpenDirect = O_DIRECT;
inline constexpr int kResolveSystemError = EAI_SYSTEM;
// SO_REUSEPORT, or 0 where the system has no such option.
inline constexpr int kReusePort = SO_REUSEPORT;
// SO_REUSEADDR: a new listener may bind over connections in TIME_WAIT.
inline constexpr int kReuseAddress = SO_REUSEADDR;
// shutdown(2) takes a listening socket out of LISTEN at once.
inline constexpr bool kShutdownStopsListening = true;
#endif

// The calling thread's error from the last failed call below or socket call
// (errno; WSAGetLastError() on Windows), a number of os::error_category().
int last_error() noexcept;

// A new non-blocking (overlapped on Windows), close-on-exec socket, or -1.
std::intptr_t open_socket(int family, int type) noexcept;

// setsockopt(2) of an int option; 0, or -1 with last_error().
int set_socket_option(std::intptr_t socket, int level, int option, int value) noexcept;

// Closes a socket or a file at once, ignoring errors, where no loop can.
void close_socket(std::intptr_t socket) noexcept;
void close_file(std::intptr_t file) noexcept;

// What open_file() checks after the backend opened `file`: a directory is
// refused, as Python does; a pipe is read and written at no offset.
bool is_directory(std::intptr_t file) noexcept;
bool is_seekable(std::intptr_t file) noexcept;

// Removes a stale Unix-domain socket file at `path` before binding there.
void remove_stale_unix_socket(const char* path) noexcept;
void remove_file(const char* path) noexcept;

}  // namespace coio::internal::os
