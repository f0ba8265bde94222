#include "backends/iocp/completion_port.h"

#include <chrono>
#include <system_error>

namespace coio::iocp {
namespace {

[[noreturn]] void throw_last_error(const char* what) {
  throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), what);
}

}  // namespace

CompletionPort::CompletionPort() : port_(::CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1)) {
  if (port_ == nullptr) throw_last_error("CreateIoCompletionPort");
}

CompletionPort::~CompletionPort() { ::CloseHandle(port_); }

void CompletionPort::associate(HANDLE handle, ULONG_PTR key) {
  if (::CreateIoCompletionPort(handle, port_, key, 0) == nullptr) throw_last_error("CreateIoCompletionPort(associate)");
}

void CompletionPort::post(ULONG_PTR key, OVERLAPPED* overlapped, DWORD bytes) {
  if (!::PostQueuedCompletionStatus(port_, bytes, key, overlapped)) throw_last_error("PostQueuedCompletionStatus");
}

std::span<OVERLAPPED_ENTRY> CompletionPort::dequeue(std::span<OVERLAPPED_ENTRY> batch, DWORD timeout_ms) {
  ULONG count = 0;
  if (!::GetQueuedCompletionStatusEx(port_, batch.data(), static_cast<ULONG>(batch.size()), &count, timeout_ms,
                                     FALSE)) {
    if (::GetLastError() == WAIT_TIMEOUT) return {};
    throw_last_error("GetQueuedCompletionStatusEx");
  }
  return batch.first(count);
}

DWORD timeout_until(Clock::time_point deadline, Clock::time_point now) noexcept {
  if (deadline == Clock::time_point::max()) return INFINITE;
  if (deadline <= now) return 0;
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
  // INFINITE is 0xFFFFFFFF; anything longer waits as long as a DWORD can.
  return wait >= static_cast<long long>(INFINITE) ? INFINITE - 1 : static_cast<DWORD>(wait);
}

}  // namespace coio::iocp
