// backends/iocp/poll.h: OpCode::kPoll on Windows, through the AFD driver's
// IOCTL_AFD_POLL, as wepoll, libuv and mio do. One \Device\Afd handle per
// backend, opened on the first poll and put on the loop's port: each poll
// is one overlapped request on it, completed by a packet like any other
// operation, and cancelled with CancelIoEx on that handle.
//
// Under Wine a poll that is satisfied at once still queues a packet (the
// AFD handle does not skip the port), and a poll may report LOCAL_CLOSE
// unasked; both are handled here (../../docs/windows.md).
#pragma once

#include <winsock2.h>
#include <windows.h>

#include <cstdint>

#include "backends/iocp/completion_port.h"

namespace coio::iocp {

// AFD_POLL_INFO for one socket: what the driver reads, and writes back.
struct PollRequest {
  LARGE_INTEGER timeout;
  ULONG handle_count;
  ULONG exclusive;
  HANDLE socket;
  ULONG events;
  LONG status;
};
static_assert(sizeof(PollRequest) == 32);

class AfdPoller {
 public:
  AfdPoller(CompletionPort& port, ULONG_PTR key) noexcept : port_(port), key_(key) {}
  ~AfdPoller();
  AfdPoller(const AfdPoller&) = delete;
  AfdPoller& operator=(const AfdPoller&) = delete;

  // Starts a poll of `socket` for coio's kPollIn/kPollOut `events`, its
  // status to land in `overlapped`. Returns 0 (a packet will come) or a
  // Win32/Winsock error code (none will): WSAENOTSOCK for a handle that is
  // not a socket.
  DWORD start(std::intptr_t socket, std::uint32_t events, PollRequest& request, OVERLAPPED* overlapped) noexcept;

  // coio's ready events for a finished poll, from its Win32 `error`.
  static std::uint32_t ready_events(const PollRequest& request, DWORD error) noexcept;

  // The AFD handle the polls are pending on (for CancelIoEx).
  HANDLE handle() const noexcept { return afd_; }

 private:
  DWORD open() noexcept;

  CompletionPort& port_;
  ULONG_PTR key_;
  HANDLE afd_ = nullptr;
};

}  // namespace coio::iocp
