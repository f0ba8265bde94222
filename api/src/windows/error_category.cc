// os::error_category() on Windows: Win32 and Winsock error codes, as
// GetLastError() and WSAGetLastError() return them and the IOCP backend
// reports them. GCC 12's std::system_category() reads these codes too, but
// maps none of Winsock's (WSAECONNREFUSED is not
// std::errc::connection_refused there), hence a category of coio's own.
#include <winsock2.h>  // before windows.h, which would bring the old winsock.h
#include <windows.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "coio/internal/os_error.h"

namespace coio::internal::os {
namespace {

// ERROR_DIRECTORY_NOT_SUPPORTED, which mingw-w64's headers lack: the IOCP
// backend's answer to opening a directory as a file.
constexpr int kDirectoryNotSupported = 336;

// The errno value (as mingw's <errno.h> numbers it, which is what std::errc
// uses) of a Win32 or Winsock code, or 0 when POSIX has no counterpart.
int errno_of(int code) noexcept {
  switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_PATHNAME:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case WSAEACCES:
      return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
      return EEXIST;
    case ERROR_INVALID_HANDLE:
    case WSAEBADF:
      return EBADF;
    case ERROR_TOO_MANY_OPEN_FILES:
    case WSAEMFILE:
      return EMFILE;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
      return ENOMEM;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return ENOSPC;
    case ERROR_INVALID_FUNCTION:
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
    case ERROR_NEGATIVE_SEEK:
    case WSAEINVAL:
      return EINVAL;
    case ERROR_DIRECTORY:
      return ENOTDIR;
    case kDirectoryNotSupported:
      return EISDIR;
    case ERROR_DIR_NOT_EMPTY:
      return ENOTEMPTY;
    case ERROR_FILENAME_EXCED_RANGE:
    case WSAENAMETOOLONG:
      return ENAMETOOLONG;
    case ERROR_WRITE_PROTECT:
      return EROFS;
    case ERROR_NOT_SAME_DEVICE:
      return EXDEV;
    case ERROR_NOACCESS:
    case WSAEFAULT:
      return EFAULT;
    case ERROR_OPERATION_ABORTED:
      return ECANCELED;
    case ERROR_NOT_SUPPORTED:
    case WSAEOPNOTSUPP:
      return EOPNOTSUPP;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case WSAESHUTDOWN:
      return EPIPE;
    case ERROR_CONNECTION_REFUSED:
    case ERROR_PORT_UNREACHABLE:
    case WSAECONNREFUSED:
      return ECONNREFUSED;
    case ERROR_NETNAME_DELETED:
    case WSAECONNRESET:
      return ECONNRESET;
    case ERROR_CONNECTION_ABORTED:
    case WSAECONNABORTED:
      return ECONNABORTED;
    case ERROR_NETWORK_UNREACHABLE:
    case WSAENETUNREACH:
      return ENETUNREACH;
    case ERROR_HOST_UNREACHABLE:
    case WSAEHOSTUNREACH:
      return EHOSTUNREACH;
    case ERROR_SEM_TIMEOUT:
    case ERROR_TIMEOUT:
    case WSAETIMEDOUT:
      return ETIMEDOUT;
    case ERROR_CONNECTION_INVALID:
    case WSAENOTCONN:
      return ENOTCONN;
    case ERROR_CONNECTION_ACTIVE:
    case WSAEISCONN:
      return EISCONN;
    case WSAEADDRINUSE:
      return EADDRINUSE;
    case WSAEADDRNOTAVAIL:
      return EADDRNOTAVAIL;
    case WSAEAFNOSUPPORT:
      return EAFNOSUPPORT;
    case WSAEPROTONOSUPPORT:
      return EPROTONOSUPPORT;
    case WSAEPROTOTYPE:
      return EPROTOTYPE;
    case WSAENOPROTOOPT:
      return ENOPROTOOPT;
    case WSAEDESTADDRREQ:
      return EDESTADDRREQ;
    case WSAENOTSOCK:
      return ENOTSOCK;
    case WSAEMSGSIZE:
      return EMSGSIZE;
    case WSAENOBUFS:
      return ENOBUFS;
    case WSAENETDOWN:
      return ENETDOWN;
    case WSAENETRESET:
      return ENETRESET;
    case WSAEWOULDBLOCK:
      return EWOULDBLOCK;
    case WSAEINPROGRESS:
      return EINPROGRESS;
    case WSAEALREADY:
      return EALREADY;
    case WSAEINTR:
      return EINTR;
    default:
      return 0;
  }
}

std::string utf8_of(const wchar_t* text, int length) {
  const int size = ::WideCharToMultiByte(CP_UTF8, 0, text, length, nullptr, 0, nullptr, nullptr);
  if (size <= 0) return {};
  std::string out(static_cast<std::size_t>(size), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, text, length, out.data(), size, nullptr, nullptr);
  return out;
}

class WindowsErrorCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "windows"; }

  // Windows' own text (FormatMessageW, as UTF-8), without the final period
  // and line break, as strerror(3) words it.
  std::string message(int code) const override {
    wchar_t* text = nullptr;
    const DWORD length = ::FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
        static_cast<DWORD>(code), 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
    std::string message;
    if (length > 0) message = utf8_of(text, static_cast<int>(length));
    if (text != nullptr) ::LocalFree(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r' || message.back() == ' ' ||
                                message.back() == '.')) {
      message.pop_back();
    }
    if (message.empty()) message = "Windows error " + std::to_string(code);
    return message;
  }

  // The std::errc condition of the same meaning, so that a Windows code
  // compares equal to it; a code with none stays itself.
  std::error_condition default_error_condition(int code) const noexcept override {
    if (const int posix = errno_of(code)) return {posix, std::generic_category()};
    return {code, *this};
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const WindowsErrorCategory category;
  return category;
}

}  // namespace coio::internal::os
