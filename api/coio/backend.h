// coio/backend.h: the seam between the event loop and the operating system.
//
// A backend is a proactor: the loop hands it operation records, the backend
// starts them in the kernel, and reports each one's completion exactly once.
// Every backend (io_uring, Asio, IOCP) honours every method and every opcode
// below; the conformance suite is the proof. Readiness polling is an opcode,
// not another method.
//
// Contract, for backend authors:
// - An Operation lives in the awaiting coroutine's frame. Between submit() and
//   the call to its on_complete, the record, its buffer and its address
//   belong to the backend (and the kernel); the core does not touch or free
//   them.
// - A backend's factory sets SIGPIPE to be ignored when it is at its default
//   (as Python does at start-up), so a closed peer is an EPIPE error and
//   never kills the process. A program's own handler is left alone.
// - on_complete is called exactly once per submitted operation, from inside
//   run(), on the loop's thread, after `result`/`error` are set. It is core
//   code that only queues the waiting coroutine; it may submit() or cancel()
//   other operations, never re-enters run().
// - cancel() asks the kernel to abort an operation. The operation still
//   completes exactly once: with error == Operation::kCancelled when it was
//   aborted, or with its real outcome when it finished first. Cancelling an
//   operation that already completed is not allowed (the core never does).
// - run() makes submitted operations visible to the kernel (batched: one
//   system call per loop turn where the backend can), dispatches completions,
//   and blocks until at least one completion, a wake(), or the deadline.
//   A deadline at or before now never blocks. run() may also return early
//   with nothing dispatched (after the backend's own internal completions);
//   the loop simply calls it again.
// - wake() is the one method safe to call from any thread. It makes the
//   current run() return, or the next one if none is blocked.
// - Apart from wake(), a backend is used and destroyed on one thread: the
//   loop's. The loop destroys it only when no operation is in flight.
// - kPoll readiness is a hint, as with epoll: a read after kPollIn may still
//   find nothing. A backend may switch a descriptor to non-blocking mode
//   while operations on it are in flight.
// - A kRecv marked `stream_socket` lets the backend keep receiving on that
//   socket between kRecv operations (io_uring's multishot receive); the
//   bytes it took go to the next kRecv operations, in order. In return the
//   core closes such a socket only with kClose or right after forget(), once
//   no operation is in flight on it.
// - A kAccept marked `listening_socket` lets the backend keep accepting on
//   that socket between kAccept operations (io_uring's multishot accept);
//   the connections it took go to the next kAccept operations, in order,
//   and are closed by forget() or kClose. The same closing rule holds, but
//   for Windows, where only closing a listener stops its listening:
//   Server::close() closes it there right after forget() with its kAccept
//   in flight, and the closing aborts that kAccept.
// - A kSend marked `stream_socket` is on a stream socket, where sending
//   fewer bytes than asked is an answer like any other (the core sends the
//   rest); an unmarked kSend may carry a datagram, which goes whole.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace coio {

using Clock = std::chrono::steady_clock;

enum class OpCode : std::uint8_t {
  kRead,   // read up to `length` bytes into `buffer` (at `offset` unless kNoOffset)
  kWrite,  // write up to `length` bytes from `buffer` (at `offset` unless kNoOffset)
  kPoll,   // wait until `handle` is ready for `poll_events`; result = ready events
           // (kPollErr / kPollHup may be reported unasked, as with poll(2))

  // Sockets. `address` points at a sockaddr of `address_length` bytes.
  kAccept,    // accept a connection on the listening socket `handle`; the peer's
              // address goes to `address` (room: `address_length`, which is set
              // to the size used); result = the new socket (non-blocking,
              // close-on-exec)
  kConnect,   // connect the socket `handle` to `address`
  kRecv,      // receive up to `length` bytes into `buffer`; 0 = the peer shut down
  kSend,      // send up to `length` bytes from `buffer`; a closed peer is an
              // EPIPE error, never a SIGPIPE
  kRecvFrom,  // receive one datagram into `buffer` (a longer one is cut short);
              // the sender goes to `address` (room: `address_length`, set to
              // the address's real size, as recvfrom(2) does)
  kSendTo,    // send one datagram from `buffer` to `address`
  kClose,     // close `handle`

  // Files. kRead and kWrite at an `offset` are the file transfers.
  kOpen,      // open the NUL-terminated path at `address` with open(2) flags
              // `open_flags` and permission bits `open_mode`; result = the new
              // descriptor (close-on-exec)
  kFsync,     // flush the data and metadata of `handle` to its device
  kFileSize,  // result = the size in bytes of the file `handle`; `buffer` is
              // scratch space of `length` >= kFileSizeScratch bytes the
              // backend may use (io_uring's statx result)
};

// Readiness bits for OpCode::kPoll (in `poll_events`, and in `result`).
inline constexpr std::uint32_t kPollIn = 0x1;
inline constexpr std::uint32_t kPollOut = 0x4;
inline constexpr std::uint32_t kPollErr = 0x8;
inline constexpr std::uint32_t kPollHup = 0x10;

struct Operation {
  // `error` for an operation that was aborted by cancel(). Native error codes
  // (errno, GetLastError) are positive, so they never collide with it.
  static constexpr int kCancelled = -1;
  static constexpr std::int64_t kNoOffset = -1;
  static constexpr std::size_t kBackendAreaSize = 96;
  static constexpr std::size_t kFileSizeScratch = 256;

  // Filled by the core before submit().
  OpCode code = OpCode::kRead;
  bool stream_socket = false;  // kRecv, kSend: see the contract above
  bool listening_socket = false;  // kAccept: see the contract above
  std::uint32_t poll_events = 0;
  std::intptr_t handle = -1;  // file descriptor, or SOCKET/HANDLE on Windows
  void* buffer = nullptr;
  std::size_t length = 0;
  std::int64_t offset = kNoOffset;
  void* address = nullptr;  // a sockaddr, for the socket opcodes
  std::uint32_t address_length = 0;
  int open_flags = 0;  // for kOpen
  std::uint32_t open_mode = 0;
  void (*on_complete)(Operation&) noexcept = nullptr;

  // Filled by the backend before on_complete: bytes transferred or ready
  // events on success; `error` is 0, kCancelled, or the OS's own error code
  // (errno; a Win32 or Winsock code on Windows), which the core reads in
  // internal::os::error_category() (coio/internal/os_error.h).
  std::int64_t result = 0;
  int error = 0;

  // Scratch space the backend owns while the operation is in flight (an
  // OVERLAPPED for IOCP, Asio's handler state, io_uring's cancel flag and
  // the msghdr of a datagram).
  alignas(std::max_align_t) std::byte backend_area[kBackendAreaSize];
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Says which backend this is: "io_uring", "asio" or "iocp".
  virtual std::string_view name() const noexcept = 0;

  // Starts `op`; the kernel sees it no later than the next run().
  virtual void submit(Operation& op) = 0;

  // Asks the kernel to abort `op`, which must be in flight.
  virtual void cancel(Operation& op) = 0;

  // Flushes submissions, dispatches completions, and blocks until at least
  // one completion, a wake(), or `deadline`.
  virtual void run(Clock::time_point deadline) = 0;

  // Makes a blocked run() return soon. Safe from any thread.
  virtual void wake() = 0;

  // The core is about to close `handle` itself, with no operation in flight
  // on it: the backend lets go of what it keeps for it.
  virtual void forget(std::intptr_t handle) noexcept { (void)handle; }
};

// Creates the backend this binary was built for (the selector linked in by
// //:coio, chosen with --@coio//:backend). Throws std::system_error when the
// backend cannot start, naming the cause.
std::unique_ptr<Backend> make_backend();

}  // namespace coio
