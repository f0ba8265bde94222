#include "backends/iocp/open_file.h"

#include <fcntl.h>
#include <winternl.h>

#include <string>

namespace coio::iocp {
namespace {

// The core's bit for open_file(..., {.direct = true}): internal::os::kOpenDirect.
constexpr int kOpenDirect = 0x10000000;
// ERROR_DIRECTORY_NOT_SUPPORTED ("An operation is not supported on a
// directory"), which mingw-w64's headers lack.
constexpr DWORD kDirectoryNotSupported = 336;

std::wstring widen(const char* utf8) {
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, utf8, -1, nullptr, 0);
  if (n <= 0) return {};
  std::wstring wide(static_cast<std::size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, utf8, -1, wide.data(), n);
  wide.resize(static_cast<std::size_t>(n - 1));
  return wide;
}

DWORD disposition_of(int flags) {
  if (flags & O_CREAT) {
    if (flags & O_EXCL) return CREATE_NEW;
    return (flags & O_TRUNC) ? CREATE_ALWAYS : OPEN_ALWAYS;
  }
  return (flags & O_TRUNC) ? TRUNCATE_EXISTING : OPEN_EXISTING;
}

DWORD access_of(int flags) {
  DWORD access = 0;
  const int mode = flags & (O_RDONLY | O_WRONLY | O_RDWR);
  if (mode == O_RDONLY || mode == O_RDWR) access |= GENERIC_READ;
  if (mode == O_WRONLY || mode == O_RDWR) {
    // Without FILE_WRITE_DATA every write goes to the end of the file,
    // whatever its offset: O_APPEND.
    access |= (flags & O_APPEND) ? (FILE_GENERIC_WRITE & ~FILE_WRITE_DATA) : GENERIC_WRITE;
  }
  return access;
}

}  // namespace

HANDLE open_file(const char* path, int flags, std::uint32_t mode, DWORD& error) noexcept {
  std::wstring wide;
  try {
    wide = widen(path);
  } catch (...) {
    error = ERROR_NOT_ENOUGH_MEMORY;
    return INVALID_HANDLE_VALUE;
  }
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, (flags & O_NOINHERIT) ? FALSE : TRUE};
  DWORD attributes = FILE_FLAG_OVERLAPPED;
  // A file created without write permission is read-only, as chmod would make it.
  attributes |= ((flags & O_CREAT) && !(mode & 0222)) ? FILE_ATTRIBUTE_READONLY : FILE_ATTRIBUTE_NORMAL;
  if (flags & kOpenDirect) attributes |= FILE_FLAG_NO_BUFFERING;
  const HANDLE file = ::CreateFileW(wide.c_str(), access_of(flags), FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                    &inherit, disposition_of(flags), attributes, nullptr);
  if (file != INVALID_HANDLE_VALUE) return file;
  const DWORD code = ::GetLastError();
  // CreateFileW refuses a directory with "access denied".
  const DWORD found = ::GetFileAttributesW(wide.c_str());
  if (code == ERROR_ACCESS_DENIED && found != INVALID_FILE_ATTRIBUTES && (found & FILE_ATTRIBUTE_DIRECTORY)) {
    error = kDirectoryNotSupported;
  } else {
    error = code;
  }
  return INVALID_HANDLE_VALUE;
}

bool may_write(HANDLE file) noexcept {
  PUBLIC_OBJECT_BASIC_INFORMATION info{};
  if (::NtQueryObject(file, ObjectBasicInformation, &info, sizeof info, nullptr) != 0) return true;
  return (info.GrantedAccess & (FILE_WRITE_DATA | FILE_APPEND_DATA)) != 0;
}

}  // namespace coio::iocp
