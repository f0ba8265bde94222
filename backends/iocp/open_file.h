// backends/iocp/open_file.h: OpCode::kOpen on Windows, open(2)'s flags and
// a UTF-8 path turned into a CreateFileW call for overlapped I/O.
#pragma once

#include <winsock2.h>
#include <windows.h>

#include <cstdint>

namespace coio::iocp {

// Opens `path` (UTF-8) as open(2) would with `flags` (O_RDONLY, O_WRONLY,
// O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NOINHERIT, and coio's
// kOpenDirect as FILE_FLAG_NO_BUFFERING), always with FILE_FLAG_OVERLAPPED.
// Returns the handle, or INVALID_HANDLE_VALUE with `error` set to the Win32
// error code; a directory is ERROR_DIRECTORY_NOT_SUPPORTED (EISDIR's
// condition in the core's category), where CreateFileW says "access denied".
HANDLE open_file(const char* path, int flags, std::uint32_t mode, DWORD& error) noexcept;

// Whether `file` was opened with write or append access; true too when
// Windows cannot say.
bool may_write(HANDLE file) noexcept;

}  // namespace coio::iocp
