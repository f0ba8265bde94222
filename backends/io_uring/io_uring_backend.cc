// backends/io_uring/io_uring_backend.cc: coio::Backend on liburing.
//
// submit() and cancel() only fill submission queue entries; run() hands them
// to the kernel and waits in one io_uring_enter. An operation's user_data is
// its Operation*; the backend's own requests (cancels, and the eventfd read
// behind wake()) carry small tags instead, and the multishot receives of
// stream_receiver.h and multishot accepts of acceptor.h tagged pointers.

#include "backends/io_uring/io_uring_backend.h"

#include <liburing.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "backends/common/sigpipe.h"
#include "backends/io_uring/acceptor.h"
#include "backends/io_uring/stream_receiver.h"
#include "coio/backend.h"

namespace coio {
namespace {

constexpr unsigned kSqEntries = 256;
// Far more operations wait in the kernel than are submitted in one turn.
constexpr unsigned kCqEntries = 4 * kSqEntries;
constexpr unsigned kReapBatch = 64;

// Operation pointers are aligned, so they never take these values.
constexpr std::uint64_t kCancelTag = 1;
constexpr std::uint64_t kWakeTag = 2;

// Setup flags, best first; a kernel that rejects a set gets the next one.
constexpr unsigned kSetupFlagChoices[] = {
    // Linux 6.1+: completions are processed in a batch when the loop asks for
    // them, never by interrupting it. R_DISABLED postpones binding the ring to
    // a thread until its first io_uring_enter, on the loop's thread.
    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER |
        IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
        IORING_SETUP_R_DISABLED,
    // Linux 5.19+: completions are processed on the next io_uring_enter.
    IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN |
        IORING_SETUP_TASKRUN_FLAG,
    0,
};

// What the backend keeps in Operation::backend_area while it is in flight.
// The kernel reads and writes the socket fields until the completion.
struct OpState {
  bool cancel_requested = false;
  socklen_t address_length = 0;  // kAccept: room in, size used out
  msghdr message{};              // kRecvFrom, kSendTo
  iovec data{};                  // the one buffer `message` points at
};
static_assert(sizeof(OpState) <= Operation::kBackendAreaSize);
static_assert(alignof(OpState) <= alignof(std::max_align_t));

OpState& state_of(Operation& op) {
  return *std::launder(reinterpret_cast<OpState*>(op.backend_area));
}

struct Completion {
  std::uint64_t user_data;
  int res;
  std::uint32_t flags;
};

[[noreturn]] void throw_errno(int error, const std::string& what) {
  throw std::system_error(error, std::system_category(), what);
}

// Accepts what io_uring_enter may return in a normal loop turn: -ETIME and
// -EINTR end a wait early; -EBUSY and -EAGAIN (completions overflowing on
// older kernels, or kernel memory short) clear once reap() makes room.
void check_enter(int ret, std::string_view what) {
  if (ret >= 0 || ret == -ETIME || ret == -EINTR || ret == -EBUSY ||
      ret == -EAGAIN) {
    return;
  }
  std::string message(what);
  if (ret == -EEXIST) message += " (the ring belongs to another thread)";
  throw_errno(-ret, message);
}

unsigned to_poll_mask(std::uint32_t events) {
  unsigned mask = 0;
  if (events & kPollIn) mask |= POLLIN;
  if (events & kPollOut) mask |= POLLOUT;
  return mask;
}

std::uint32_t from_poll_mask(unsigned mask) {
  std::uint32_t events = 0;
  if (mask & POLLIN) events |= kPollIn;
  if (mask & POLLOUT) events |= kPollOut;
  if (mask & (POLLERR | POLLNVAL)) events |= kPollErr;
  if (mask & POLLHUP) events |= kPollHup;
  return events;
}

msghdr* datagram(Operation& op, OpState& state, std::size_t length) {
  state.data = {op.buffer, length};
  state.message.msg_name = op.address;
  state.message.msg_namelen = op.address_length;
  state.message.msg_iov = &state.data;
  state.message.msg_iovlen = 1;
  return &state.message;
}

void prep(io_uring_sqe* sqe, Operation& op, OpState& state) {
  const int fd = static_cast<int>(op.handle);
  // A short transfer is allowed, and the kernel caps one far lower anyway.
  const auto length = static_cast<unsigned>(
      std::min<std::size_t>(op.length, std::numeric_limits<unsigned>::max()));
  // Operation::kNoOffset (-1) is also io_uring's "at the file position".
  const auto offset = static_cast<std::uint64_t>(op.offset);
  switch (op.code) {
    case OpCode::kRead:
      io_uring_prep_read(sqe, fd, op.buffer, length, offset);
      break;
    case OpCode::kWrite:
      io_uring_prep_write(sqe, fd, op.buffer, length, offset);
      break;
    case OpCode::kPoll:
      io_uring_prep_poll_add(sqe, fd, to_poll_mask(op.poll_events));
      break;
    case OpCode::kAccept:
      state.address_length = op.address_length;
      io_uring_prep_accept(sqe, fd, static_cast<sockaddr*>(op.address),
                           op.address ? &state.address_length : nullptr,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
      break;
    case OpCode::kConnect:
      io_uring_prep_connect(sqe, fd, static_cast<sockaddr*>(op.address),
                            op.address_length);
      break;
    case OpCode::kRecv:
      io_uring_prep_recv(sqe, fd, op.buffer, length, 0);
      break;
    case OpCode::kSend:
      io_uring_prep_send(sqe, fd, op.buffer, length, MSG_NOSIGNAL);
      break;
    case OpCode::kRecvFrom:
      io_uring_prep_recvmsg(sqe, fd, datagram(op, state, length), 0);
      break;
    case OpCode::kSendTo:
      io_uring_prep_sendmsg(sqe, fd, datagram(op, state, length), MSG_NOSIGNAL);
      break;
    case OpCode::kClose:
      io_uring_prep_close(sqe, fd);
      break;
    case OpCode::kOpen:
      io_uring_prep_openat(sqe, AT_FDCWD, static_cast<const char*>(op.address), op.open_flags | O_CLOEXEC,
                           op.open_mode);
      break;
    case OpCode::kFsync:
      io_uring_prep_fsync(sqe, fd, 0);
      break;
    case OpCode::kFileSize:
      // The statx result lands in the core's scratch buffer (kFileSizeScratch).
      static_assert(sizeof(struct statx) <= Operation::kFileSizeScratch);
      io_uring_prep_statx(sqe, fd, "", AT_EMPTY_PATH, STATX_SIZE, static_cast<struct statx*>(op.buffer));
      break;
  }
  io_uring_sqe_set_data(sqe, &op);
}

// Turns a completion's non-negative res into Operation::result, and copies
// back what the kernel wrote into backend_area.
std::int64_t take_result(Operation& op, int res) {
  switch (op.code) {
    case OpCode::kPoll:
      return from_poll_mask(static_cast<unsigned>(res));
    case OpCode::kAccept:
      op.address_length = state_of(op).address_length;
      break;
    case OpCode::kRecvFrom:
      op.address_length = state_of(op).message.msg_namelen;
      break;
    case OpCode::kFileSize:
      return static_cast<std::int64_t>(static_cast<const struct statx*>(op.buffer)->stx_size);
    default:
      break;
  }
  return res;
}

class IoUringBackend final : public Backend, internal::ReceiverHost, internal::AcceptorHost {
 public:
  IoUringBackend();
  IoUringBackend(const IoUringBackend&) = delete;
  IoUringBackend& operator=(const IoUringBackend&) = delete;
  ~IoUringBackend() override;

  std::string_view name() const noexcept override { return "io_uring"; }
  void submit(Operation& op) override;
  void cancel(Operation& op) override;
  void run(Clock::time_point deadline) override;
  void wake() override;
  void forget(std::intptr_t handle) noexcept override;

 private:
  // internal::ReceiverHost
  io_uring_sqe* get_sqe() override;
  void finish(Operation& op, int res) noexcept override { complete(op, res); }
  void finish_later(Operation& op, int res) override {
    set_aside_.push_back({reinterpret_cast<std::uintptr_t>(&op), res, 0});
  }
  void submit_one_shot(Operation& op) override { prep(get_sqe(), op, state_of(op)); }
  // internal::AcceptorHost
  void finish_accept(Operation& op, int res, std::uint32_t peer_length) noexcept override {
    state_of(op).address_length = peer_length;
    complete(op, res);
  }
  void finish_accept_later(Operation& op, int res, std::uint32_t peer_length) override {
    state_of(op).address_length = peer_length;
    finish_later(op, res);
  }

  void complete(Operation& op, int res) noexcept;
  void enable_ring();
  unsigned set_aside_completions();
  bool kernel_holds_completions() const;
  void wait(Clock::time_point deadline, Clock::time_point now);
  void reap();
  void dispatch(const Completion& completion);
  void arm_wake_read();
  bool take_back_wake_read() noexcept;
  bool take_back_receives() noexcept;

  io_uring ring_{};
  bool ring_enabled_ = false;
  int wake_fd_ = -1;
  std::atomic<bool> wake_pending_{false};
  bool wake_read_armed_ = false;
  // On the heap, so that the destructor can leave it to the kernel when it
  // cannot take the read back.
  std::unique_ptr<std::uint64_t> wake_buffer_ =
      std::make_unique<std::uint64_t>();
  // Completions taken off a full CQ by submit(), or known without the
  // kernel, for the next run().
  std::vector<Completion> set_aside_;
  // After ring_: it needs the ring, and the kernel may fill its buffers
  // until the ring is gone.
  internal::StreamReceiver receiver_{ring_, *this};
  internal::Acceptor acceptor_{ring_, *this};
};

IoUringBackend::IoUringBackend() {
  int ret = -EINVAL;
  for (const unsigned flags : kSetupFlagChoices) {
    io_uring_params params{};
    params.flags = flags | IORING_SETUP_CQSIZE;
    params.cq_entries = kCqEntries;
    ret = io_uring_queue_init_params(kSqEntries, &ring_, &params);
    if (ret != -EINVAL) break;
  }
  if (ret < 0) {
    std::string what = "io_uring_queue_init";
    if (ret == -EPERM || ret == -ENOSYS || ret == -EACCES) {
      what +=
          " (io_uring may be disabled by seccomp or kernel.io_uring_disabled)";
    }
    throw_errno(-ret, what);
  }
  if (!(ring_.features & IORING_FEAT_EXT_ARG)) {
    io_uring_queue_exit(&ring_);
    throw_errno(ENOSYS, "io_uring_queue_init (needs Linux 5.11 or later)");
  }
  ring_enabled_ = !(ring_.flags & IORING_SETUP_R_DISABLED);
  // Multishot receives came in Linux 6.0; DEFER_TASKRUN (6.1) tells.
  // Multishot accepts came in Linux 5.19; they go with the receives.
  if (ring_.flags & IORING_SETUP_DEFER_TASKRUN) {
    (void)receiver_.enable();
    acceptor_.enable();
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    const int error = errno;
    io_uring_queue_exit(&ring_);
    throw_errno(error, "eventfd");
  }
  arm_wake_read();
}

IoUringBackend::~IoUringBackend() {
  if (ring_enabled_ && !take_back_receives()) {
    // The kernel may still fill the provided buffers: leave them mapped.
    receiver_.leak_buffers();
  }
  if (ring_enabled_ && !take_back_wake_read()) {
    // The kernel may still store the eventfd count there after the ring is
    // closed; leak 8 bytes rather than let it write to freed memory.
    (void)wake_buffer_.release();
  }
  io_uring_queue_exit(&ring_);
  ::close(wake_fd_);
}

void IoUringBackend::submit(Operation& op) {
  OpState& state = *::new (op.backend_area) OpState{};
  if (op.code == OpCode::kRecv && op.stream_socket && op.length > 0 && receiver_.enabled()) {
    receiver_.start(op);
    return;
  }
  if (op.code == OpCode::kAccept && op.listening_socket && acceptor_.enabled()) {
    acceptor_.start(op);
    return;
  }
  // The multishot receive or accept must let go of the socket too.
  if (op.code == OpCode::kClose) {
    receiver_.forget(op.handle);
    acceptor_.forget(op.handle);
  }
  prep(get_sqe(), op, state);
}

void IoUringBackend::cancel(Operation& op) {
  state_of(op).cancel_requested = true;
  if (op.code == OpCode::kRecv && receiver_.cancel(op)) return;
  if (op.code == OpCode::kAccept && acceptor_.cancel(op)) return;
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_cancel64(sqe, reinterpret_cast<std::uintptr_t>(&op), 0);
  io_uring_sqe_set_data64(sqe, kCancelTag);
}

void IoUringBackend::forget(std::intptr_t handle) noexcept {
  // Without a submission queue entry for the stop, the receive would hold
  // the socket open until the ring closes; get_sqe() fails only when the
  // ring itself does.
  try {
    receiver_.forget(handle);
  } catch (...) {
  }
  try {
    acceptor_.forget(handle);
  } catch (...) {
  }
}

void IoUringBackend::run(Clock::time_point deadline) {
  const Clock::time_point now = Clock::now();
  if (deadline > now && io_uring_cq_ready(&ring_) == 0 && set_aside_.empty()) {
    wait(deadline, now);
  } else if (io_uring_sq_ready(&ring_) > 0 || kernel_holds_completions()) {
    enable_ring();
    check_enter(io_uring_submit_and_get_events(&ring_),
                "io_uring_submit_and_get_events");
  }
  reap();
  receiver_.publish();
}

void IoUringBackend::wake() {
  // One write wakes the loop; wake()s before it reads the eventfd add nothing.
  if (wake_pending_.exchange(true)) return;
  const std::uint64_t one = 1;
  while (::write(wake_fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

io_uring_sqe* IoUringBackend::get_sqe() {
  while (true) {
    if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
    // The submission queue is full: the kernel takes this batch now.
    enable_ring();
    const int ret = io_uring_submit(&ring_);
    if (ret == -EBUSY || ret == -EAGAIN) {
      // Older kernels refuse submissions while completions overflow. Only
      // run() may dispatch them, so move them off the ring to make room.
      if (set_aside_completions() == 0) throw_errno(-ret, "io_uring_submit");
    } else {
      check_enter(ret, "io_uring_submit");
    }
  }
}

void IoUringBackend::enable_ring() {
  if (ring_enabled_) return;
  // Not io_uring_enable_rings(): liburing 2.3's shared library does not
  // export it.
  if (const int ret = io_uring_register(
          ring_.ring_fd, IORING_REGISTER_ENABLE_RINGS, nullptr, 0);
      ret < 0) {
    throw_errno(-ret, "io_uring_register(IORING_REGISTER_ENABLE_RINGS)");
  }
  ring_enabled_ = true;
}

unsigned IoUringBackend::set_aside_completions() {
  unsigned head;
  unsigned count = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    set_aside_.push_back({cqe->user_data, cqe->res, cqe->flags});
    ++count;
  }
  io_uring_cq_advance(&ring_, count);
  return count;
}

// True when completions wait in the kernel rather than in the CQ: deferred
// task work, or CQEs that overflowed a full CQ. Only io_uring_enter posts them.
bool IoUringBackend::kernel_holds_completions() const {
  return IO_URING_READ_ONCE(*ring_.sq.kflags) &
         (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW);
}

void IoUringBackend::wait(Clock::time_point deadline, Clock::time_point now) {
  __kernel_timespec timeout{};
  __kernel_timespec* timeout_ptr = nullptr;
  if (deadline != Clock::time_point::max()) {
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now)
            .count();
    timeout.tv_sec = ns / 1'000'000'000;
    timeout.tv_nsec = ns % 1'000'000'000;
    timeout_ptr = &timeout;
  }
  enable_ring();
  io_uring_cqe* cqe = nullptr;
  check_enter(
      io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, timeout_ptr, nullptr),
      "io_uring_submit_and_wait_timeout");
}

void IoUringBackend::reap() {
  if (!set_aside_.empty()) {
    std::vector<Completion> set_aside;
    set_aside.swap(set_aside_);
    for (const Completion& completion : set_aside) dispatch(completion);
  }
  // Only what is there now, so handlers that keep submitting cannot keep
  // run() from returning.
  unsigned budget = io_uring_cq_ready(&ring_);
  while (budget > 0) {
    Completion batch[kReapBatch];
    const unsigned limit = std::min(budget, kReapBatch);
    unsigned count = 0;
    unsigned head;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      batch[count++] = {cqe->user_data, cqe->res, cqe->flags};
      if (count == limit) break;
    }
    if (count == 0) break;
    // Advancing before dispatching hands the slots back to the kernel, and
    // leaves the ring consistent for handlers that call submit().
    io_uring_cq_advance(&ring_, count);
    budget -= count;
    // With many sockets, each record is a cache miss: start them all.
    for (unsigned i = 0; i < count; ++i) {
      __builtin_prefetch(reinterpret_cast<const void*>(batch[i].user_data & ~std::uint64_t{3}));
    }
    for (unsigned i = 0; i < count; ++i) dispatch(batch[i]);
  }
}

void IoUringBackend::dispatch(const Completion& completion) {
  // A cancel's own outcome does not matter: its target reports for itself.
  if (completion.user_data == kCancelTag) return;
  if (completion.user_data == kWakeTag) {
    wake_read_armed_ = false;
    // Only now, with the eventfd emptied, must the next wake() write again.
    wake_pending_.store(false);
    arm_wake_read();
    return;
  }
  if (internal::StreamReceiver::owns(completion.user_data)) {
    receiver_.on_completion(completion.user_data, completion.res, completion.flags);
    return;
  }
  if (internal::Acceptor::owns(completion.user_data)) {
    acceptor_.on_completion(completion.user_data, completion.res, completion.flags);
    return;
  }
  complete(*reinterpret_cast<Operation*>(completion.user_data), completion.res);
}

void IoUringBackend::complete(Operation& op, int res) noexcept {
  op.result = 0;
  op.error = 0;
  if (res >= 0) {
    // Also when a cancel came too late: an accepted socket must reach the
    // core, which closes it.
    op.result = take_result(op, res);
  } else if (state_of(op).cancel_requested &&
             (res == -ECANCELED || res == -EINTR)) {
    // -EINTR: the cancel interrupted an io-wq worker running the operation.
    op.error = Operation::kCancelled;
  } else {
    op.error = -res;
  }
  op.on_complete(op);
}

void IoUringBackend::arm_wake_read() {
  io_uring_sqe* sqe = get_sqe();
  io_uring_prep_read(sqe, wake_fd_, wake_buffer_.get(), sizeof(std::uint64_t),
                     0);
  io_uring_sqe_set_data64(sqe, kWakeTag);
  wake_read_armed_ = true;
}

// Stops every multishot receive and accept and waits for their last
// completions, so that the kernel fills no provided buffer and accepts no
// connection any more. Fails off the ring's thread (-EEXIST).
bool IoUringBackend::take_back_receives() noexcept {
  try {
    receiver_.stop_all();
    acceptor_.stop_all();
  } catch (...) {
    return false;
  }
  while (receiver_.armed() || acceptor_.armed()) {
    const int ret = io_uring_submit_and_wait(&ring_, 1);
    if (ret < 0 && ret != -EINTR) return false;
    unsigned head;
    unsigned count = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      if (internal::StreamReceiver::owns(cqe->user_data)) {
        receiver_.on_completion(cqe->user_data, cqe->res, cqe->flags);
      } else if (internal::Acceptor::owns(cqe->user_data)) {
        acceptor_.on_completion(cqe->user_data, cqe->res, cqe->flags);
      } else if (cqe->user_data == kWakeTag) {
        wake_read_armed_ = false;
      }
      ++count;
    }
    io_uring_cq_advance(&ring_, count);
  }
  return true;
}

// Cancels the eventfd read and waits for its completion, so that the kernel
// holds nothing of ours. Fails off the ring's thread (-EEXIST).
bool IoUringBackend::take_back_wake_read() noexcept {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr && io_uring_submit(&ring_) >= 0) {
    sqe = io_uring_get_sqe(&ring_);
  }
  if (sqe == nullptr) return false;
  io_uring_prep_cancel64(sqe, kWakeTag, 0);
  io_uring_sqe_set_data64(sqe, kCancelTag);
  while (wake_read_armed_) {
    const int ret = io_uring_submit_and_wait(&ring_, 1);
    if (ret < 0 && ret != -EINTR) return false;
    unsigned head;
    unsigned count = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      if (cqe->user_data == kWakeTag) wake_read_armed_ = false;
      ++count;
    }
    io_uring_cq_advance(&ring_, count);
  }
  return true;
}

}  // namespace

std::unique_ptr<Backend> make_io_uring_backend() {
  auto backend = std::make_unique<IoUringBackend>();
  internal::ignore_sigpipe_once();
  return backend;
}

}  // namespace coio
