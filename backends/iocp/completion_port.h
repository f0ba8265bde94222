// backends/iocp/completion_port.h: one I/O completion port, the IOCP backend's
// event source. Sockets and files are associated with it, the kernel queues
// their completions on it, and the loop takes them off in batches; other
// threads wake the loop by posting a packet.
//
//   CompletionPort port;
//   port.associate(socket_handle, kSocketKey);
//   OVERLAPPED_ENTRY batch[64];
//   for (const auto& e : port.dequeue(batch, timeout_until(deadline))) ...
//
// Closing the port does not wake a thread blocked in dequeue() under Wine
// (Windows does): stop a waiting loop with post(), never by closing.
#pragma once

#include <winsock2.h>  // before windows.h, which would bring the old winsock.h
#include <windows.h>

#include <span>

#include "coio/backend.h"

namespace coio::iocp {

class CompletionPort {
 public:
  // Makes a port for one thread to dequeue from; throws std::system_error.
  CompletionPort();
  ~CompletionPort();
  CompletionPort(const CompletionPort&) = delete;
  CompletionPort& operator=(const CompletionPort&) = delete;

  // Queues every later completion of overlapped I/O on `handle` here,
  // tagged with `key`; throws std::system_error. A handle joins one port,
  // for good.
  void associate(HANDLE handle, ULONG_PTR key);

  // Queues a packet of our own (`overlapped` may be null). Safe from any
  // thread; throws std::system_error.
  void post(ULONG_PTR key, OVERLAPPED* overlapped = nullptr, DWORD bytes = 0);

  // Takes up to batch.size() completions, waiting up to `timeout_ms`
  // (INFINITE: no limit) for the first one: the filled front of `batch`,
  // empty on timeout. Throws std::system_error on any other failure.
  std::span<OVERLAPPED_ENTRY> dequeue(std::span<OVERLAPPED_ENTRY> batch, DWORD timeout_ms);

  HANDLE native() const noexcept { return port_; }

 private:
  HANDLE port_;
};

// The wait for dequeue() until `deadline`, in whole milliseconds rounded up
// (rounding down would wake early and spin until the deadline): 0 for a
// deadline already past, INFINITE for Clock::time_point::max().
DWORD timeout_until(Clock::time_point deadline, Clock::time_point now = Clock::now()) noexcept;

}  // namespace coio::iocp
