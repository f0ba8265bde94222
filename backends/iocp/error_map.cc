#include "backends/iocp/error_map.h"

#include <winsock2.h>
#include <winternl.h>

#include <cerrno>

namespace coio::iocp {

int to_errno(DWORD error) noexcept {
  switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
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
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
    case ERROR_NEGATIVE_SEEK:
    case WSAEINVAL:
      return EINVAL;
    case ERROR_DIRECTORY:
      return ENOTDIR;
    case ERROR_NOT_SUPPORTED:
    case WSAEOPNOTSUPP:
      return EOPNOTSUPP;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case WSAESHUTDOWN:
      return EPIPE;
    case ERROR_CONNECTION_REFUSED:
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
    case WSAETIMEDOUT:
      return ETIMEDOUT;
    case WSAEADDRINUSE:
      return EADDRINUSE;
    case WSAEADDRNOTAVAIL:
      return EADDRNOTAVAIL;
    case WSAEAFNOSUPPORT:
      return EAFNOSUPPORT;
    case WSAENOTSOCK:
      return ENOTSOCK;
    case WSAENOTCONN:
      return ENOTCONN;
    case WSAEISCONN:
      return EISCONN;
    case WSAEMSGSIZE:
      return EMSGSIZE;
    case WSAENOBUFS:
      return ENOBUFS;
    case WSAEWOULDBLOCK:
      return EWOULDBLOCK;
    case WSAEALREADY:
      return EALREADY;
    case WSAEFAULT:
      return EFAULT;
    default:
      return static_cast<int>(error);
  }
}

DWORD win32_error_of(LONG status) noexcept { return ::RtlNtStatusToDosError(status); }

}  // namespace coio::iocp
