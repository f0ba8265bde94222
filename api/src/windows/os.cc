#include "coio/internal/os.h"

#include <windows.h>

namespace coio::internal::os {
namespace {

// Winsock needs WSAStartup before its first call, getaddrinfo included; a
// static object in this file, which every socket user links, starts it.
struct Winsock {
  Winsock() noexcept {
    WSADATA data;
    ::WSAStartup(MAKEWORD(2, 2), &data);
  }
  ~Winsock() { ::WSACleanup(); }
} const winsock;

}  // namespace

int last_error() noexcept { return ::WSAGetLastError(); }

std::intptr_t open_socket(int family, int type) noexcept {
  const SOCKET s = ::WSASocketW(family, type, 0, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  return s == INVALID_SOCKET ? -1 : static_cast<std::intptr_t>(s);
}

int set_socket_option(std::intptr_t socket, int level, int option, int value) noexcept {
  return ::setsockopt(static_cast<SOCKET>(socket), level, option, reinterpret_cast<const char*>(&value),
                      sizeof value);
}

void close_socket(std::intptr_t socket) noexcept { ::closesocket(static_cast<SOCKET>(socket)); }

void close_file(std::intptr_t file) noexcept { ::CloseHandle(reinterpret_cast<HANDLE>(file)); }

// CreateFileW opens a directory only with FILE_FLAG_BACKUP_SEMANTICS, which
// the backend does not pass: the open itself fails.
bool is_directory(std::intptr_t) noexcept { return false; }

bool is_seekable(std::intptr_t file) noexcept {
  return ::GetFileType(reinterpret_cast<HANDLE>(file)) == FILE_TYPE_DISK;
}

void remove_stale_unix_socket(const char* path) noexcept {
  // A Unix-domain socket's file is a reparse point here.
  const DWORD attributes = ::GetFileAttributesA(path);
  if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    ::DeleteFileA(path);
  }
}

void remove_file(const char* path) noexcept { ::DeleteFileA(path); }

}  // namespace coio::internal::os
