#include "backends/asio/asio_backend.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/buffer.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "backends/asio/descriptor_registry.h"
#include "backends/asio/handler_memory.h"
#include "backends/common/sigpipe.h"
#include "coio/backend.h"

namespace coio {
namespace {

using internal::DescriptorRegistry;
using internal::HandlerAllocator;
using internal::HandlerMemory;
using Wait = asio::posix::descriptor_base::wait_type;

constexpr int kFileThreads = 4;
// Bounds the ready handlers one run() drains, so that completions which keep
// submitting operations that are ready at once cannot starve the timers.
constexpr int kMaxHandlersPerRun = 1024;

class AsioBackend;

// kPosted: the outcome was known in submit(), and its completion is posted.
enum class Kind : std::uint8_t { kDescriptor, kFile, kPosted };

// MSG_DONTWAIT: the first try may find the caller's socket still blocking.
constexpr int kRecvFlags = MSG_DONTWAIT;
#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_DONTWAIT | MSG_NOSIGNAL;
#else
// make_asio_backend() ignores SIGPIPE instead.
constexpr int kSendFlags = MSG_DONTWAIT;
#endif

// What the backend keeps in Operation::backend_area while `op` is in flight.
struct OpState {
  AsioBackend* backend;
  DescriptorRegistry::Entry* entry = nullptr;
  // One per Asio operation in flight for `op`: a poll for input and output
  // runs two waits. Pooled, because each keeps Asio's cancellation handler.
  asio::cancellation_signal* signals[2] = {};
  Kind kind = Kind::kPosted;
  bool cancel_requested = false;
  bool finished = false;    // a poll's outcome is set; its other wait must end
  bool connecting = false;  // a kConnect's connect(2) is in progress
  std::uint8_t waits = 0;   // Asio operations of `op` still in flight
};
static_assert(sizeof(OpState) <= Operation::kBackendAreaSize);
static_assert(alignof(OpState) <= alignof(std::max_align_t));
static_assert(std::is_trivially_destructible_v<OpState>);

OpState& state(Operation& op) {
  return *std::launder(reinterpret_cast<OpState*>(op.backend_area));
}

int native_error(const asio::error_code& ec) {
  return ec.category() == asio::error::get_system_category() ? ec.value() : EIO;
}

// The error of an Asio operation of `op` that ended with `ec`. Asio aborts an
// operation when cancel() asks, or when a kClose closes its descriptor.
int error_of(Operation& op, const asio::error_code& ec) {
  if (ec != asio::error::operation_aborted) return native_error(ec);
  return state(op).cancel_requested ? Operation::kCancelled : EBADF;
}

// The system call of a file operation, blocking (it runs on the pool):
// the result, or -1 and errno.
std::int64_t blocking_file_call(Operation& op) {
  const int fd = static_cast<int>(op.handle);
  switch (op.code) {
    case OpCode::kRead:
      return ::pread(fd, op.buffer, op.length, op.offset);
    case OpCode::kWrite:
      return ::pwrite(fd, op.buffer, op.length, op.offset);
    case OpCode::kOpen:
      return ::open(static_cast<const char*>(op.address), op.open_flags | O_CLOEXEC, op.open_mode);
    case OpCode::kFsync:
      return ::fsync(fd);
    case OpCode::kFileSize: {
      struct stat st {};
      if (::fstat(fd, &st) != 0) return -1;
      return st.st_size;
    }
    default:
      errno = EINVAL;
      return -1;
  }
}

// The outcome of a connect(2) that was in progress: 0, or -1 and errno.
int connect_outcome(int fd) {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return -1;
  if (error == 0) return 0;
  errno = error;
  return -1;
}

// Makes the system call of socket operation `op`, without blocking (kAccept
// and kConnect need their socket in non-blocking mode). Returns the
// readiness to wait for before trying again when it would block; otherwise
// sets the outcome of `op`.
std::optional<Wait> try_socket_call(Operation& op) {
  const int fd = static_cast<int>(op.handle);
  auto* address = static_cast<sockaddr*>(op.address);
  socklen_t length = op.address_length;
  socklen_t* room = address != nullptr ? &length : nullptr;
  bool& connecting = state(op).connecting;
  ssize_t n = -1;
  int error = 0;
  for (;;) {
    switch (op.code) {
      case OpCode::kAccept:
        n = ::accept4(fd, address, room, SOCK_NONBLOCK | SOCK_CLOEXEC);
        break;
      case OpCode::kConnect:
        n = connecting ? connect_outcome(fd) : ::connect(fd, address, length);
        break;
      case OpCode::kRecv:
        n = ::recv(fd, op.buffer, op.length, kRecvFlags);
        break;
      case OpCode::kSend:
        n = ::send(fd, op.buffer, op.length, kSendFlags);
        break;
      case OpCode::kRecvFrom:
        n = ::recvfrom(fd, op.buffer, op.length, kRecvFlags, address, room);
        break;
      case OpCode::kSendTo:
        n = ::sendto(fd, op.buffer, op.length, kSendFlags, address, length);
        break;
      case OpCode::kRead:
      case OpCode::kWrite:
      case OpCode::kPoll:
      case OpCode::kClose:
      case OpCode::kOpen:
      case OpCode::kFsync:
      case OpCode::kFileSize:
        errno = EINVAL;  // not tried here
        break;
    }
    if (n >= 0) break;
    error = errno;
    if (op.code == OpCode::kConnect) {
      // An interrupted connect(2) goes on in the background, as one in
      // progress does. EAGAIN (a Unix socket's full backlog) is reported:
      // no readiness event says when to try again.
      if (error != EINPROGRESS && error != EINTR) break;
      connecting = true;
      return Wait::wait_write;
    }
    // Interrupted calls are retried, and so is an accept whose connection was
    // reset while queued (as in Asio): that is no connection to report.
    if (error == EINTR || (op.code == OpCode::kAccept &&
                           (error == ECONNABORTED || error == EPROTO))) {
      continue;
    }
    if (error == EAGAIN || error == EWOULDBLOCK) {
      return op.code == OpCode::kSend || op.code == OpCode::kSendTo
                 ? Wait::wait_write
                 : Wait::wait_read;
    }
    break;
  }
  op.result = n < 0 ? 0 : n;
  op.error = n < 0 ? error : 0;
  // The size the kernel reports, which is larger than the room when the
  // address was cut short, as accept(2) and recvfrom(2) say.
  if (n >= 0 && room != nullptr) op.address_length = length;
  return std::nullopt;
}

// Returns the ready events of `fd` among `wanted` (plus errors and hang-ups,
// as poll(2) reports them), or a negated errno.
std::int64_t ready_events(int fd, std::uint32_t wanted) {
  pollfd p = {fd, 0, 0};
  if (wanted & kPollIn) p.events |= POLLIN;
  if (wanted & kPollOut) p.events |= POLLOUT;
  int n;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  if (p.revents & POLLNVAL) return -EBADF;
  std::int64_t ready = 0;
  if (p.revents & POLLIN) ready |= kPollIn;
  if (p.revents & POLLOUT) ready |= kPollOut;
  if (p.revents & POLLERR) ready |= kPollErr;
  if (p.revents & POLLHUP) ready |= kPollHup;
  return ready;
}

class AsioBackend final : public Backend {
 public:
  AsioBackend() : io_(1), work_(io_.get_executor()), registry_(io_) {
    // Starts the reactor now, so that a failure throws here and not from
    // the first submit().
    asio::posix::stream_descriptor probe(io_);
  }

  ~AsioBackend() override {
    if (files_) files_->join();
  }

  std::string_view name() const noexcept override { return "asio"; }

  void submit(Operation& op) override {
    OpState& s = *new (op.backend_area) OpState{this};
    if (op.code == OpCode::kOpen) return start_file(op);
    if (op.handle < 0 || op.handle > INT_MAX) return finish(op, EBADF);
    const int fd = static_cast<int>(op.handle);
    switch (op.code) {
      case OpCode::kRead:
      case OpCode::kWrite:
        if (op.offset != Operation::kNoOffset) return start_file(op);
        break;
      case OpCode::kPoll:
        break;
      case OpCode::kClose:
        return finish(op, registry_.close(fd));
      case OpCode::kOpen:
      case OpCode::kFsync:
      case OpCode::kFileSize:
        return start_file(op);
      case OpCode::kAccept:
      case OpCode::kConnect:
      case OpCode::kRecv:
      case OpCode::kSend:
      case OpCode::kRecvFrom:
      case OpCode::kSendTo:
        return start_socket(op);
    }
    asio::error_code ec;
    s.entry = registry_.acquire(fd, ec);
    if (s.entry == nullptr) return finish(op, native_error(ec));
    s.kind = Kind::kDescriptor;
    start(op);
  }

  void cancel(Operation& op) override {
    OpState& s = state(op);
    // pread/pwrite on the pool, and operations whose outcome submit()
    // already knew, just complete.
    if (s.kind != Kind::kDescriptor) return;
    s.cancel_requested = true;
    // Per-operation cancellation: descriptor.cancel() would abort every
    // operation on the descriptor, including other coroutines' ones.
    for (asio::cancellation_signal* signal : s.signals) {
      if (signal != nullptr) signal->emit(asio::cancellation_type::terminal);
    }
  }

  void run(Clock::time_point deadline) override {
    const std::uint64_t before = completions_;
    woken_ = false;
    if (posted_.empty() && deadline > Clock::now()) {
      // Some handlers complete no operation (the first of a poll's two
      // waits), so one handler run is not enough to return.
      while (completions_ == before && !woken_) {
        const std::size_t ran = deadline == Clock::time_point::max()
                                    ? io_.run_one()
                                    : io_.run_one_until(deadline);
        if (ran == 0) break;
      }
    }
    for (int i = 0; i < kMaxHandlersPerRun && io_.poll_one() != 0; ++i) {
    }
    complete_posted();
  }

  void wake() override {
    if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
    asio::post(io_, [this] {
      wake_pending_.store(false, std::memory_order_release);
      woken_ = true;
    });
  }

  void forget(std::intptr_t handle) noexcept override {
    registry_.forget(static_cast<int>(handle));
  }

 private:
  // Completion handler of one Asio operation started for `op`. Asio finds
  // the allocator and the cancellation slot through it.
  struct Handler {
    Operation* op;
    int which;  // index of its signal in OpState::signals

    using allocator_type = HandlerAllocator<void>;
    allocator_type get_allocator() const noexcept {
      return allocator_type(&state(*op).backend->handler_memory_);
    }
    using cancellation_slot_type = asio::cancellation_slot;
    cancellation_slot_type get_cancellation_slot() const noexcept {
      asio::cancellation_signal* signal = state(*op).signals[which];
      return signal != nullptr ? signal->slot() : cancellation_slot_type();
    }

    void operator()(const asio::error_code& ec, std::size_t n) const {
      state(*op).backend->on_transfer(*op, ec, n);
    }
    void operator()(const asio::error_code& ec) const {
      if (op->code == OpCode::kPoll) {
        state(*op).backend->on_wait(*op, which, ec);
      } else {
        state(*op).backend->on_ready(*op, ec);
      }
    }
  };

  // Turns an operation record into Asio operations.
  void start(Operation& op) {
    OpState& s = state(op);
    asio::posix::stream_descriptor& d = s.entry->descriptor;
    switch (op.code) {
      case OpCode::kRead:
        s.waits = 1;
        d.async_read_some(asio::buffer(op.buffer, op.length), handler(op, 0));
        return;
      case OpCode::kWrite:
        s.waits = 1;
        d.async_write_some(asio::const_buffer(op.buffer, op.length),
                           handler(op, 0));
        return;
      case OpCode::kPoll:
        s.waits =
            (op.poll_events & kPollIn) && (op.poll_events & kPollOut) ? 2 : 1;
        for (int i = 0; i < s.waits; ++i) {
          d.async_wait(wait_of(op, i), handler(op, i));
        }
        return;
      case OpCode::kAccept:
      case OpCode::kConnect:
      case OpCode::kRecv:
      case OpCode::kSend:
      case OpCode::kRecvFrom:
      case OpCode::kSendTo:
      case OpCode::kClose:
      case OpCode::kOpen:
      case OpCode::kFsync:
      case OpCode::kFileSize:
        return;  // submit() starts these
    }
  }

  // The reactor pattern, as asyncio's selector loop has it: the system call
  // at once, then again each time the socket is ready, until it would not
  // block. A socket is often ready at once (to send, nearly always), and
  // recv and send then need no registration: MSG_DONTWAIT keeps them from
  // blocking. accept4 and connect have no such flag.
  void start_socket(Operation& op) {
    OpState& s = state(op);
    std::optional<Wait> wait;
    if (op.code != OpCode::kAccept && op.code != OpCode::kConnect) {
      wait = try_socket_call(op);
      if (!wait) return post_completion(op);
    }
    asio::error_code ec;
    s.entry = registry_.acquire(static_cast<int>(op.handle), ec);
    if (s.entry == nullptr) return finish(op, native_error(ec));
    s.kind = Kind::kDescriptor;
    // A stream socket's reader waits again soon (backend.h's contract).
    if (op.code == OpCode::kRecv && op.stream_socket) registry_.keep_registered(*s.entry);
    asio::posix::stream_descriptor& d = s.entry->descriptor;
    // For accept4 and connect; Asio's first wait would switch it anyway.
    if (s.entry->was_blocking && !d.native_non_blocking()) {
      d.native_non_blocking(true, ec);
      if (ec) return finish(op, native_error(ec));
    }
    if (!wait) {
      wait = try_socket_call(op);
      if (!wait) return post_completion(op);
    }
    s.waits = 1;
    d.async_wait(*wait, handler(op, 0));
  }

  // The readiness wait number `which` of a poll: one each for input and
  // output, or a wait for errors only when neither is asked for.
  static Wait wait_of(const Operation& op, int which) {
    if ((op.poll_events & kPollIn) && which == 0) return Wait::wait_read;
    if (op.poll_events & kPollOut) return Wait::wait_write;
    return Wait::wait_error;
  }

  static std::int64_t woken_events(Wait wait) {
    return wait == Wait::wait_read    ? kPollIn
           : wait == Wait::wait_write ? kPollOut
                                      : 0;
  }

  Handler handler(Operation& op, int which) {
    asio::cancellation_signal*& signal = state(op).signals[which];
    if (signal == nullptr) {
      if (free_signals_.empty()) {
        signal = new asio::cancellation_signal;
      } else {
        signal = free_signals_.back().release();
        free_signals_.pop_back();
      }
    }
    return Handler{&op, which};
  }

  void on_transfer(Operation& op, const asio::error_code& ec, std::size_t n) {
    op.result = ec ? 0 : static_cast<std::int64_t>(n);
    // A read at end of file reads 0 bytes, as read(2) does.
    op.error = !ec || ec == asio::error::eof ? 0 : error_of(op, ec);
    complete(op);
  }

  // The readiness wait of socket operation `op` ended: its system call again.
  void on_ready(Operation& op, const asio::error_code& ec) {
    OpState& s = state(op);
    s.waits = 0;
    op.result = 0;
    op.error = 0;
    if (s.cancel_requested) {
      // Also when the wait ended just before the cancel: nothing was taken.
      op.error = Operation::kCancelled;
    } else if (ec) {
      op.error = error_of(op, ec);
    } else if (s.entry->closed) {
      op.error = EBADF;  // the number may name another file by now
    } else if (const std::optional<Wait> wait = try_socket_call(op)) {
      s.waits = 1;
      s.entry->descriptor.async_wait(*wait, handler(op, 0));
      return;
    }
    complete(op);
  }

  void on_wait(Operation& op, int which, const asio::error_code& ec) {
    OpState& s = state(op);
    --s.waits;
    if (!s.finished) {
      op.result = 0;
      op.error = 0;
      if (ec && ec != asio::error::operation_not_supported) {
        op.error = error_of(op, ec);
      } else if (s.entry->closed) {
        op.error = EBADF;  // the number may name another file by now
      } else {
        // poll(2) adds errors, hang-ups and the other direction. It may
        // find nothing when another operation consumed the readiness since
        // the wake: report the woken direction then, as io_uring would.
        // Descriptors the reactor cannot watch (regular files) report
        // operation_not_supported and are always ready.
        std::int64_t ready =
            ready_events(static_cast<int>(op.handle), op.poll_events);
        if (ready == 0 && !ec) ready = woken_events(wait_of(op, which));
        if (ready < 0) {
          op.error = static_cast<int>(-ready);
        } else {
          op.result = ready;
        }
      }
      s.finished = true;
      if (s.waits > 0) {
        s.signals[which ^ 1]->emit(asio::cancellation_type::terminal);
      }
    }
    if (s.waits == 0) complete(op);
  }

  // File operations run on the pool, as Asio has no portable asynchronous
  // file I/O; the buffer stays the pool's until the completion is posted back.
  void start_file(Operation& op) {
    state(op).kind = Kind::kFile;
    if (!files_) {
      try {
        files_.emplace(kFileThreads);
      } catch (const std::system_error& e) {
        return finish(op, e.code().value());  // no threads to be had
      }
    }
    asio::post(*files_, [op = &op] {
      std::int64_t n;
      do {
        n = blocking_file_call(*op);
      } while (n < 0 && errno == EINTR);
      op->error = n < 0 ? errno : 0;
      op->result = n < 0 ? 0 : n;
      asio::post(state(*op).backend->io_,
                 [op] { state(*op).backend->complete(*op); });
    });
  }

  // Completes `op` with `error` (0: success, with result 0) from inside
  // run(), never from submit().
  void finish(Operation& op, int error) {
    op.result = 0;
    op.error = error;
    post_completion(op);
  }

  // Completes `op`, whose outcome is set, from inside the next run(). It
  // waits in posted_ rather than in Asio's queue: a post from outside
  // io_context::run(), where coroutines submit, takes the scheduler's lock
  // and interrupts the reactor (an epoll_ctl), and most socket operations
  // end here, done at the first try.
  void post_completion(Operation& op) {
    state(op).kind = Kind::kPosted;
    posted_.push_back(&op);
  }

  // Completes what was posted before this run(); what their completions
  // submit waits for the next one.
  void complete_posted() {
    if (posted_.empty()) return;
    completing_.swap(posted_);
    for (Operation* op : completing_) complete(*op);
    completing_.clear();
  }

  void complete(Operation& op) {
    OpState& s = state(op);
    DescriptorRegistry::Entry* entry = s.entry;
    for (asio::cancellation_signal* signal : s.signals) {
      if (signal != nullptr) free_signals_.emplace_back(signal);
    }
    ++completions_;
    op.on_complete(op);  // `op` is the core's again
    // After on_complete, so that an operation it submits on the same
    // descriptor keeps the registration.
    if (entry != nullptr) registry_.release(*entry);
  }

  // Destroyed after io_context, whose destructor frees pending handlers.
  HandlerMemory handler_memory_;
  std::vector<std::unique_ptr<asio::cancellation_signal>> free_signals_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  DescriptorRegistry registry_;
  std::optional<asio::thread_pool> files_;  // started by the first file op
  std::atomic<bool> wake_pending_{false};
  bool woken_ = false;
  std::uint64_t completions_ = 0;
  // Operations whose outcome submit() knew, in order; completing_ is the
  // batch being completed (both keep their capacity).
  std::vector<Operation*> posted_;
  std::vector<Operation*> completing_;
};

}  // namespace

std::unique_ptr<Backend> make_asio_backend() {
  std::unique_ptr<Backend> backend;
  try {
    backend = std::make_unique<AsioBackend>();
  } catch (const std::system_error& e) {
    throw std::system_error(
        e.code(), std::string("cannot start the asio backend: ") + e.what());
  }
  internal::ignore_sigpipe_once();
  return backend;
}

}  // namespace coio
