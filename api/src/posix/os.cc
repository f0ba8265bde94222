#include "coio/internal/os.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace coio::internal::os {

const std::error_category& error_category() noexcept { return std::system_category(); }

int last_error() noexcept { return errno; }

std::intptr_t open_socket(int family, int type) noexcept {
  return ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int set_socket_option(std::intptr_t socket, int level, int option, int value) noexcept {
  return ::setsockopt(static_cast<int>(socket), level, option, &value, sizeof value);
}

void close_socket(std::intptr_t socket) noexcept { ::close(static_cast<int>(socket)); }

void close_file(std::intptr_t file) noexcept { ::close(static_cast<int>(file)); }

bool is_directory(std::intptr_t file) noexcept {
  struct stat st {};
  return ::fstat(static_cast<int>(file), &st) == 0 && S_ISDIR(st.st_mode);
}

// pread/pwrite on a FIFO fail with ESPIPE (Asio's pool).
bool is_seekable(std::intptr_t file) noexcept {
  return ::lseek(static_cast<int>(file), 0, SEEK_CUR) >= 0 || errno != ESPIPE;
}

void remove_stale_unix_socket(const char* path) noexcept {
  struct stat st {};
  if (::lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path);
}

void remove_file(const char* path) noexcept { ::unlink(path); }

}  // namespace coio::internal::os
