#include "backends/iocp/poll.h"

#include <mswsock.h>
#include <winternl.h>

#include <cstdint>
#include <limits>

#include "backends/iocp/nt_status.h"
#include "coio/backend.h"

namespace coio::iocp {
namespace {

constexpr ULONG kIoctlAfdPoll = 0x00012024;
constexpr ULONG kAfdReceive = 0x1;
constexpr ULONG kAfdSend = 0x4;
constexpr ULONG kAfdDisconnect = 0x8;
constexpr ULONG kAfdAbort = 0x10;
constexpr ULONG kAfdLocalClose = 0x20;
constexpr ULONG kAfdAccept = 0x80;
constexpr ULONG kAfdConnectFail = 0x100;
constexpr LONG kStatusPending = 0x103;

// The socket the AFD driver knows, beneath any layered provider.
SOCKET base_socket(SOCKET socket) noexcept {
  SOCKET base = INVALID_SOCKET;
  DWORD bytes = 0;
  if (::WSAIoctl(socket, SIO_BASE_HANDLE, nullptr, 0, &base, sizeof base, &bytes, nullptr, nullptr) != 0) {
    return INVALID_SOCKET;
  }
  return base;
}

}  // namespace

AfdPoller::~AfdPoller() {
  if (afd_ != nullptr) ::CloseHandle(afd_);
}

DWORD AfdPoller::open() noexcept {
  wchar_t name[] = L"\\Device\\Afd\\coio";
  UNICODE_STRING path{sizeof name - sizeof(wchar_t), sizeof name, name};
  OBJECT_ATTRIBUTES attributes{};
  attributes.Length = sizeof attributes;
  attributes.ObjectName = &path;
  IO_STATUS_BLOCK io{};
  HANDLE afd = nullptr;
  const NTSTATUS status = ::NtCreateFile(&afd, SYNCHRONIZE, &attributes, &io, nullptr, 0,
                                         FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, nullptr, 0);
  if (status != 0) return win32_error_of(status);
  if (::CreateIoCompletionPort(afd, port_.native(), key_, 0) == nullptr) {
    const DWORD error = ::GetLastError();
    ::CloseHandle(afd);
    return error;
  }
  afd_ = afd;
  return 0;
}

DWORD AfdPoller::start(std::intptr_t socket, std::uint32_t events, PollRequest& request,
                     OVERLAPPED* overlapped) noexcept {
  if (afd_ == nullptr) {
    if (const DWORD error = open()) return error;
  }
  const SOCKET base = base_socket(static_cast<SOCKET>(socket));
  if (base == INVALID_SOCKET) return WSAENOTSOCK;
  // Failures and hang-ups are always asked for: poll(2) reports them unasked.
  ULONG afd_events = kAfdAbort | kAfdLocalClose | kAfdConnectFail;
  if (events & kPollIn) afd_events |= kAfdReceive | kAfdAccept | kAfdDisconnect;
  if (events & kPollOut) afd_events |= kAfdSend;
  request.timeout.QuadPart = std::numeric_limits<LONGLONG>::max();
  request.handle_count = 1;
  request.exclusive = FALSE;
  request.socket = reinterpret_cast<HANDLE>(base);
  request.events = afd_events;
  request.status = 0;
  auto* io = reinterpret_cast<IO_STATUS_BLOCK*>(&overlapped->Internal);
  const NTSTATUS status = ::NtDeviceIoControlFile(afd_, nullptr, nullptr, overlapped, io, kIoctlAfdPoll, &request,
                                                  sizeof request, &request, sizeof request);
  // Pending or already satisfied: either way the packet comes (the AFD
  // handle does not skip the port).
  if (status == 0 || status == kStatusPending) return 0;
  return win32_error_of(status);
}

std::uint32_t AfdPoller::ready_events(const PollRequest& request, DWORD error) noexcept {
  if (error != 0) return kPollErr;
  // Only a poll that finished writes its answer; a timeout reports none.
  if (request.handle_count == 0) return 0;
  const ULONG ready = request.events;
  std::uint32_t events = 0;
  if (ready & (kAfdReceive | kAfdAccept)) events |= kPollIn;
  if (ready & kAfdSend) events |= kPollOut;
  if (ready & kAfdDisconnect) events |= kPollIn | kPollHup;
  if (ready & kAfdAbort) events |= kPollIn | kPollHup | kPollErr;
  if (ready & kAfdConnectFail) events |= kPollOut | kPollErr | kPollHup;
  if (ready & kAfdLocalClose) events |= kPollHup;
  return events;
}

}  // namespace coio::iocp
