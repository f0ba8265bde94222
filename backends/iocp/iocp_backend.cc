// backends/iocp/iocp_backend.cc: coio::Backend on an I/O completion port.
//
// submit() starts each operation in the kernel at once, with the OVERLAPPED
// in the operation's backend_area. A completion packet's lpOverlapped leads
// back to the operation. What finishes without a packet (a synchronous
// success on a handle that skips the port, a failure to start, and the
// operations Windows has no overlapped form for: open, close, flush, size)
// waits in ready_ for the next run(), which never blocks while it is not
// empty.

#include "backends/iocp/iocp_backend.h"

#include <winsock2.h>
#include <mswsock.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "backends/iocp/completion_port.h"
#include "backends/iocp/nt_status.h"
#include "backends/iocp/open_file.h"
#include "backends/iocp/poll.h"
#include "backends/iocp/socket_extensions.h"
#include "coio/backend.h"

namespace coio {
namespace {

constexpr ULONG_PTR kIoKey = 0;
constexpr ULONG_PTR kWakeKey = 1;
constexpr std::size_t kBatch = 64;
// STATUS_HANDLES_CLOSED as a Win32 error: the handle was closed under a
// pending operation (Wine's closesocket gives it where Windows gives 995).
constexpr DWORD kHandlesClosed = 676;
// One transfer's cap: a DWORD, and short transfers are allowed.
constexpr std::size_t kMaxTransfer = std::size_t{1} << 30;
// One send's cap on a stream socket. An overlapped WSASend completes only
// once all of it is buffered, where send(2) on a non-blocking socket takes
// what fits and says how much: uncapped, write_some of more than fits
// would wait until the peer had read the rest. Short sends are what kSend
// may answer; write_all and the streams loop over them.
constexpr std::size_t kMaxStreamSend = 64 * 1024;

// What the backend keeps in Operation::backend_area while it is in flight.
struct OpState {
  OVERLAPPED overlapped{};  // the kernel's until the completion packet
  Operation* op = nullptr;
  bool cancel_requested = false;
  bool finished = false;  // completed without a packet; waits in ready_
  union {
    struct {
      WSABUF data;
      DWORD flags;
      INT address_length;  // kRecvFrom: the sender's size, set by the kernel
      SOCKET accepted;     // kAccept: the socket AcceptEx fills
      std::byte* accept_addresses;  // kAccept: AcceptEx's output, on the heap
    } socket;
    iocp::PollRequest poll;  // kPoll: the AFD request and its answer
  };
  OpState() : socket{} {}
};
static_assert(sizeof(OpState) <= Operation::kBackendAreaSize);
static_assert(alignof(OpState) <= alignof(std::max_align_t));

OpState& state_of(Operation& op) { return *std::launder(reinterpret_cast<OpState*>(op.backend_area)); }

HANDLE handle_of(const Operation& op) { return reinterpret_cast<HANDLE>(op.handle); }
SOCKET socket_of(const Operation& op) { return static_cast<SOCKET>(op.handle); }

DWORD capped(std::size_t length) { return static_cast<DWORD>(std::min(length, kMaxTransfer)); }

class IocpBackend final : public Backend {
 public:
  IocpBackend() = default;
  IocpBackend(const IocpBackend&) = delete;
  IocpBackend& operator=(const IocpBackend&) = delete;

  std::string_view name() const noexcept override { return "iocp"; }
  void submit(Operation& op) override;
  void cancel(Operation& op) override;
  void run(Clock::time_point deadline) override;
  void wake() override;

 private:
  bool associate(HANDLE handle);
  void start(Operation& op, OpState& state);
  void start_accept(Operation& op, OpState& state, bool skips);
  void start_connect(Operation& op, OpState& state, bool skips);
  void run_now(Operation& op);
  void started(Operation& op, bool ok, DWORD error, DWORD bytes, bool skips);
  void finish_now(Operation& op, DWORD error, DWORD bytes);
  void finish_now_with(Operation& op, DWORD error, std::int64_t result);
  void complete(Operation& op, DWORD error, DWORD bytes);

  iocp::CompletionPort port_;
  iocp::SocketExtensions extensions_;
  iocp::AfdPoller poller_{port_, kIoKey};
  std::vector<Operation*> ready_;
  std::vector<Operation*> dispatching_;
  // Handles on the port that could not be set to skip it on success.
  std::unordered_set<HANDLE> no_skip_;
  std::atomic<bool> wake_pending_{false};
};

// Puts `handle` on the port unless it is there already (a handle joins a
// port for good, and CreateIoCompletionPort then fails with
// ERROR_INVALID_PARAMETER). Asking each time, rather than remembering,
// stays right when the core closes a socket itself and Windows hands the
// same value to a new one. Returns whether a success at once skips the port.
bool IocpBackend::associate(HANDLE handle) {
  if (::CreateIoCompletionPort(handle, port_.native(), kIoKey, 0) == nullptr) {
    return no_skip_.count(handle) == 0;
  }
  if (::SetFileCompletionNotificationModes(handle,
                                           FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | FILE_SKIP_SET_EVENT_ON_HANDLE)) {
    no_skip_.erase(handle);
    return true;
  }
  no_skip_.insert(handle);
  return false;
}

void IocpBackend::submit(Operation& op) {
  OpState& state = *::new (op.backend_area) OpState{};
  state.op = &op;
  switch (op.code) {
    case OpCode::kOpen:
    case OpCode::kClose:
    case OpCode::kFsync:
    case OpCode::kFileSize:
      run_now(op);
      return;
    default:
      start(op, state);
  }
}

void IocpBackend::start(Operation& op, OpState& state) {
  if (op.code == OpCode::kPoll) {
    if (const DWORD error = poller_.start(op.handle, op.poll_events, state.poll, &state.overlapped)) {
      finish_now_with(op, error, 0);
    }
    return;
  }
  const bool skips = associate(handle_of(op));
  OVERLAPPED* overlapped = &state.overlapped;
  DWORD bytes = 0;
  auto& s = state.socket;
  switch (op.code) {
    case OpCode::kRead:
    case OpCode::kWrite: {
      // kNoOffset is a pipe or a socket, where the offset is not looked at.
      const auto offset = static_cast<std::uint64_t>(op.offset == Operation::kNoOffset ? 0 : op.offset);
      overlapped->Offset = static_cast<DWORD>(offset);
      overlapped->OffsetHigh = static_cast<DWORD>(offset >> 32);
      const BOOL ok = op.code == OpCode::kRead
                          ? ::ReadFile(handle_of(op), op.buffer, capped(op.length), &bytes, overlapped)
                          : ::WriteFile(handle_of(op), op.buffer, capped(op.length), &bytes, overlapped);
      started(op, ok, ok ? 0 : ::GetLastError(), bytes, skips);
      return;
    }
    case OpCode::kRecv:
    case OpCode::kRecvFrom: {
      s.data = {capped(op.length), static_cast<char*>(op.buffer)};
      s.flags = 0;
      int rc;
      if (op.code == OpCode::kRecv) {
        rc = ::WSARecv(socket_of(op), &s.data, 1, &bytes, &s.flags, overlapped, nullptr);
      } else {
        s.address_length = static_cast<INT>(op.address_length);
        rc = ::WSARecvFrom(socket_of(op), &s.data, 1, &bytes, &s.flags, static_cast<sockaddr*>(op.address),
                           op.address ? &s.address_length : nullptr, overlapped, nullptr);
      }
      started(op, rc == 0, rc == 0 ? 0 : ::WSAGetLastError(), bytes, skips);
      return;
    }
    case OpCode::kSend:
    case OpCode::kSendTo: {
      // A datagram (kSendTo, or kSend unmarked) goes whole.
      const bool stream = op.code == OpCode::kSend && op.stream_socket;
      s.data = {capped(stream ? std::min(op.length, kMaxStreamSend) : op.length), static_cast<char*>(op.buffer)};
      const int rc = op.code == OpCode::kSend
                         ? ::WSASend(socket_of(op), &s.data, 1, &bytes, 0, overlapped, nullptr)
                         : ::WSASendTo(socket_of(op), &s.data, 1, &bytes, 0, static_cast<const sockaddr*>(op.address),
                                       static_cast<int>(op.address_length), overlapped, nullptr);
      started(op, rc == 0, rc == 0 ? 0 : ::WSAGetLastError(), bytes, skips);
      return;
    }
    case OpCode::kAccept:
      start_accept(op, state, skips);
      return;
    case OpCode::kConnect:
      start_connect(op, state, skips);
      return;
    default:
      finish_now_with(op, ERROR_INVALID_PARAMETER, 0);
  }
}

void IocpBackend::start_accept(Operation& op, OpState& state, bool skips) {
  auto& s = state.socket;
  s.accepted = INVALID_SOCKET;
  const SOCKET listener = socket_of(op);
  sockaddr_storage local{};
  int local_length = sizeof local;
  if (::getsockname(listener, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
    finish_now(op, static_cast<DWORD>(::WSAGetLastError()), 0);
    return;
  }
  const auto accept_ex = extensions_.accept_ex(listener);
  if (accept_ex == nullptr) {
    finish_now(op, static_cast<DWORD>(::WSAGetLastError()), 0);
    return;
  }
  s.accepted = ::WSASocketW(local.ss_family, SOCK_STREAM, 0, nullptr, 0,
                            WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s.accepted == INVALID_SOCKET) {
    finish_now(op, static_cast<DWORD>(::WSAGetLastError()), 0);
    return;
  }
  s.accept_addresses = new (std::nothrow) std::byte[2 * iocp::kAcceptAddressRoom];
  if (s.accept_addresses == nullptr) {
    finish_now_with(op, ERROR_NOT_ENOUGH_MEMORY, 0);
    return;
  }
  DWORD bytes = 0;
  const BOOL ok = accept_ex(listener, s.accepted, s.accept_addresses, 0, iocp::kAcceptAddressRoom,
                            iocp::kAcceptAddressRoom, &bytes, &state.overlapped);
  started(op, ok, ok ? 0 : static_cast<DWORD>(::WSAGetLastError()), bytes, skips);
}

void IocpBackend::start_connect(Operation& op, OpState& state, bool skips) {
  const SOCKET socket = socket_of(op);
  const auto* target = static_cast<const sockaddr*>(op.address);
  // ConnectEx needs a bound socket: bind to any address of the family, as
  // connect(2) would.
  sockaddr_storage local{};
  int local_length = sizeof local;
  if (::getsockname(socket, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
    sockaddr_storage any{};
    any.ss_family = target->sa_family;
    const int any_length = target->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    if (::bind(socket, reinterpret_cast<const sockaddr*>(&any), any_length) != 0) {
      finish_now(op, static_cast<DWORD>(::WSAGetLastError()), 0);
      return;
    }
  }
  const auto connect_ex = extensions_.connect_ex(socket);
  if (connect_ex == nullptr) {
    finish_now(op, static_cast<DWORD>(::WSAGetLastError()), 0);
    return;
  }
  DWORD bytes = 0;
  const BOOL ok =
      connect_ex(socket, target, static_cast<int>(op.address_length), nullptr, 0, &bytes, &state.overlapped);
  started(op, ok, ok ? 0 : static_cast<DWORD>(::WSAGetLastError()), bytes, skips);
}

// The operations with no overlapped form: done here, reported next run().
void IocpBackend::run_now(Operation& op) {
  switch (op.code) {
    case OpCode::kOpen: {
      DWORD error = 0;
      const HANDLE file = iocp::open_file(static_cast<const char*>(op.address), op.open_flags, op.open_mode, error);
      if (file == INVALID_HANDLE_VALUE) {
        finish_now_with(op, error, 0);
      } else {
        associate(file);
        finish_now_with(op, 0, reinterpret_cast<std::intptr_t>(file));
      }
      return;
    }
    case OpCode::kClose: {
      // Sockets and files share the operation; closesocket tells them apart.
      if (::closesocket(socket_of(op)) == 0) {
        finish_now(op, 0, 0);
      } else if (::WSAGetLastError() != WSAENOTSOCK) {
        finish_now(op, static_cast<DWORD>(::WSAGetLastError()), 0);
      } else {
        const BOOL ok = ::CloseHandle(handle_of(op));
        finish_now(op, ok ? 0 : ::GetLastError(), 0);
      }
      no_skip_.erase(handle_of(op));
      return;
    }
    case OpCode::kFsync: {
      const BOOL ok = ::FlushFileBuffers(handle_of(op));
      DWORD error = ok ? 0 : ::GetLastError();
      // FlushFileBuffers refuses a handle without write access, which has
      // nothing of its own to flush: fsync(2) of a read-only descriptor
      // succeeds. Any other refusal is reported.
      if (error == ERROR_ACCESS_DENIED && !iocp::may_write(handle_of(op))) error = 0;
      finish_now(op, error, 0);
      return;
    }
    case OpCode::kFileSize: {
      LARGE_INTEGER size{};
      if (::GetFileSizeEx(handle_of(op), &size)) {
        finish_now_with(op, 0, size.QuadPart);
      } else {
        finish_now(op, ::GetLastError(), 0);
      }
      return;
    }
    default:
      finish_now_with(op, ERROR_INVALID_PARAMETER, 0);
  }
}

// After a call that takes an OVERLAPPED: a failure other than "pending"
// queues no packet, nor does a success on a handle that skips the port.
void IocpBackend::started(Operation& op, bool ok, DWORD error, DWORD bytes, bool skips) {
  if (ok) {
    if (skips) finish_now(op, 0, bytes);
    return;
  }
  if (error != ERROR_IO_PENDING) finish_now(op, error, 0);
}

void IocpBackend::finish_now(Operation& op, DWORD error, DWORD bytes) {
  complete(op, error, bytes);
  state_of(op).finished = true;
  ready_.push_back(&op);
}

// Finishes with `result` (a handle, a size) rather than a byte count.
void IocpBackend::finish_now_with(Operation& op, DWORD error, std::int64_t result) {
  op.error = static_cast<int>(error);
  op.result = error == 0 ? result : 0;
  OpState& state = state_of(op);
  if (op.code == OpCode::kAccept && state.socket.accepted != INVALID_SOCKET) ::closesocket(state.socket.accepted);
  state.finished = true;
  ready_.push_back(&op);
}

// Sets op.result and op.error from a Win32 error (0: success) and the bytes
// transferred, finishing what the opcode needs done after the kernel.
void IocpBackend::complete(Operation& op, DWORD error, DWORD bytes) {
  OpState& state = state_of(op);
  auto& s = state.socket;
  op.result = 0;
  op.error = 0;
  if (op.code == OpCode::kPoll) {
    if (error == ERROR_OPERATION_ABORTED || error == kHandlesClosed) {
      op.error = Operation::kCancelled;
    } else {
      op.result = iocp::AfdPoller::ready_events(state.poll, error);
    }
    return;
  }
  // End of file or of a pipe's writers is a read of 0 bytes, as read(2) says.
  if (op.code == OpCode::kRead && (error == ERROR_HANDLE_EOF || error == ERROR_BROKEN_PIPE)) error = 0;
  // A datagram longer than the buffer is cut short, as recvfrom(2) does.
  if (op.code == OpCode::kRecvFrom && (error == ERROR_MORE_DATA || error == WSAEMSGSIZE)) {
    error = 0;
    bytes = s.data.len;
  }
  if (op.code == OpCode::kAccept && error == 0) {
    const SOCKET listener = socket_of(op);
    ::setsockopt(s.accepted, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, reinterpret_cast<const char*>(&listener),
                 sizeof listener);
    if (op.address != nullptr) {
      op.address_length = iocp::peer_address(extensions_, listener, s.accept_addresses, op.address, op.address_length);
    }
    op.result = static_cast<std::int64_t>(s.accepted);
    delete[] s.accept_addresses;
    return;
  }
  if (op.code == OpCode::kAccept) {
    if (s.accepted != INVALID_SOCKET) ::closesocket(s.accepted);
    delete[] s.accept_addresses;
  }
  if (op.code == OpCode::kConnect && error == 0) {
    ::setsockopt(socket_of(op), SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0);
  }
  if (op.code == OpCode::kRecvFrom && error == 0 && op.address != nullptr) {
    op.address_length = static_cast<std::uint32_t>(s.address_length);
  }
  if (error == 0) {
    op.result = bytes;
  } else if (error == ERROR_OPERATION_ABORTED || error == kHandlesClosed ||
             (error == ERROR_NETNAME_DELETED && state.cancel_requested)) {
    // Windows reports a closesocket under a pending operation as 64 too.
    op.error = Operation::kCancelled;
  } else if (error == ERROR_ACCESS_DENIED && (op.code == OpCode::kRead || op.code == OpCode::kWrite)) {
    // The handle was not opened for this: EBADF, as read(2)/write(2) say,
    // is ERROR_INVALID_HANDLE's condition.
    op.error = ERROR_INVALID_HANDLE;
  } else {
    op.error = static_cast<int>(error);
  }
}

void IocpBackend::cancel(Operation& op) {
  OpState& state = state_of(op);
  state.cancel_requested = true;
  if (state.finished) return;  // done already; its result is on its way
  // Whatever CancelIoEx returns (Wine says TRUE with nothing pending), the
  // operation's own packet is what ends it.
  const HANDLE handle = op.code == OpCode::kPoll ? poller_.handle() : handle_of(op);
  ::CancelIoEx(handle, &state.overlapped);
}

void IocpBackend::run(Clock::time_point deadline) {
  const DWORD timeout = ready_.empty() ? iocp::timeout_until(deadline) : 0;
  OVERLAPPED_ENTRY batch[kBatch];
  const auto packets = port_.dequeue(batch, timeout);
  // Operations submitted by the handlers below wait for the next turn.
  dispatching_.swap(ready_);
  for (Operation* op : dispatching_) op->on_complete(*op);
  dispatching_.clear();
  for (const OVERLAPPED_ENTRY& packet : packets) {
    if (packet.lpCompletionKey == kWakeKey) {
      wake_pending_.store(false);
      continue;
    }
    auto* state = reinterpret_cast<OpState*>(packet.lpOverlapped);
    Operation& op = *state->op;
    // Internal holds the operation's NTSTATUS; warnings (STATUS_BUFFER_OVERFLOW,
    // STATUS_HANDLES_CLOSED) are negative too.
    const auto status = static_cast<LONG>(packet.lpOverlapped->Internal);
    complete(op, status >= 0 ? 0 : iocp::win32_error_of(status), packet.dwNumberOfBytesTransferred);
    op.on_complete(op);
  }
}

void IocpBackend::wake() {
  // One packet wakes the loop; wake()s before it is taken add nothing.
  if (wake_pending_.exchange(true)) return;
  port_.post(kWakeKey);
}

}  // namespace

std::unique_ptr<Backend> make_iocp_backend() { return std::make_unique<IocpBackend>(); }

}  // namespace coio
