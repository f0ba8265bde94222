// tests/unit/backend_contract_test.cc: the contract of coio/backend.h, proven
// against one backend.
//
// The same source is built once per backend; three macros name the backend
// under test, e.g. for io_uring:
//   -DCOIO_BACKEND_HEADER=backends/io_uring/io_uring_backend.h
//   -DCOIO_BACKEND_FACTORY=make_io_uring_backend
//   -DCOIO_BACKEND_NAME=io_uring
// The tests use only the factory and the Backend interface, with pipes and
// files for I/O.

#include "tests/unit/backend_under_test.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "coio/backend.h"
#include "gtest/gtest.h"

namespace coio {
namespace {

using testing_support::Watchdog;

using namespace std::chrono_literals;

// An Operation that counts its completions and may run `then` from inside
// on_complete.
struct TestOp : Operation {
  TestOp(OpCode op_code, int fd, void* data, std::size_t size,
         std::int64_t at = kNoOffset) {
    code = op_code;
    handle = fd;
    buffer = data;
    length = size;
    offset = at;
    on_complete = [](Operation& op) noexcept {
      auto& self = static_cast<TestOp&>(op);
      ++self.completions;
      if (self.then) self.then(self);
    };
  }

  static TestOp poll(int fd, std::uint32_t events) {
    TestOp op(OpCode::kPoll, fd, nullptr, 0);
    op.poll_events = events;
    return op;
  }

  bool done() const { return completions > 0; }

  int completions = 0;
  std::function<void(TestOp&)> then;
};

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) {
      std::perror("pipe2");
      std::abort();
    }
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    close_reader();
    close_writer();
  }

  int reader() const { return fds_[0]; }
  int writer() const { return fds_[1]; }
  void close_reader() { close_end(0); }
  void close_writer() { close_end(1); }

  // Writes with write(2), behind the backend's back.
  void put(const std::string& data) const {
    ASSERT_EQ(::write(writer(), data.data(), data.size()),
              static_cast<ssize_t>(data.size()));
  }

  // Bytes written and not yet read by anyone.
  int unread() const {
    int count = -1;
    EXPECT_EQ(::ioctl(reader(), FIONREAD, &count), 0);
    return count;
  }

 private:
  void close_end(int end) {
    if (fds_[end] >= 0) ::close(fds_[end]);
    fds_[end] = -1;
  }

  int fds_[2];
};

// A file in the test's temporary directory, removed on destruction.
class TempFile {
 public:
  TempFile() {
    std::string path = ::testing::TempDir() + "backend_contract_XXXXXX";
    fd_ = ::mkstemp(path.data());
    if (fd_ < 0) {
      std::perror("mkstemp");
      std::abort();
    }
    ::unlink(path.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { ::close(fd_); }

  int fd() const { return fd_; }

 private:
  int fd_;
};

class BackendContract : public ::testing::Test {
 protected:
  template <class Done>
  bool run_until(Done done, Clock::duration limit = std::chrono::seconds(5)) {
    return testing_support::run_until(*backend_, done, limit);
  }
  void run_for(Clock::duration period) { testing_support::run_for(*backend_, period); }

  // Runs `op` to completion and checks it completed once, without error.
  void complete(TestOp& op) {
    backend_->submit(op);
    ASSERT_TRUE(run_until([&] { return op.done(); }));
    EXPECT_EQ(op.completions, 1);
    EXPECT_EQ(op.error, 0) << std::strerror(op.error);
  }

  // First, so that it also watches the backend's construction and teardown.
  Watchdog watchdog_{30s};
  std::unique_ptr<Backend> backend_ = COIO_BACKEND_FACTORY();
};

TEST_F(BackendContract, NameIsTheBackendItWasBuiltFor) {
  EXPECT_EQ(backend_->name(), COIO_STRINGIFY(COIO_BACKEND_NAME));
  std::printf("backend under test: %.*s\n",
              static_cast<int>(backend_->name().size()),
              backend_->name().data());
}

// A loop may be set up on one thread before its own thread starts.
TEST_F(BackendContract, MayBeCreatedOnOneThreadThenRunAndDestroyedOnAnother) {
  std::thread loop([this] {
    Pipe pipe;
    char out[] = "moved";
    TestOp write(OpCode::kWrite, pipe.writer(), out, 5);
    complete(write);
    char in[8] = {};
    TestOp read(OpCode::kRead, pipe.reader(), in, sizeof in);
    complete(read);
    EXPECT_EQ(std::string(in, 5), "moved");
    backend_.reset();
  });
  loop.join();
}

TEST_F(BackendContract, WriteThenReadMovesTheBytesThroughAPipe) {
  Pipe pipe;
  std::string out = "hello, backend";
  TestOp write(OpCode::kWrite, pipe.writer(), out.data(), out.size());
  complete(write);
  EXPECT_EQ(write.result, static_cast<std::int64_t>(out.size()));

  std::string in(64, '\0');
  TestOp read(OpCode::kRead, pipe.reader(), in.data(), in.size());
  complete(read);
  ASSERT_EQ(read.result, static_cast<std::int64_t>(out.size()));
  EXPECT_EQ(in.substr(0, out.size()), out);
}

TEST_F(BackendContract, ReadOnAnEmptyPipeWaitsForData) {
  Pipe pipe;
  char in[8] = {};
  TestOp read(OpCode::kRead, pipe.reader(), in, sizeof in);
  backend_->submit(read);
  run_for(30ms);
  EXPECT_FALSE(read.done());

  pipe.put("late");
  ASSERT_TRUE(run_until([&] { return read.done(); }));
  EXPECT_EQ(read.completions, 1);
  EXPECT_EQ(read.error, 0);
  ASSERT_EQ(read.result, 4);
  EXPECT_EQ(std::string(in, 4), "late");
}

TEST_F(BackendContract, WriteAndReadAtAnOffsetUseThatOffset) {
  TempFile file;
  std::string out = "at sixteen";
  TestOp write(OpCode::kWrite, file.fd(), out.data(), out.size(), 16);
  complete(write);
  EXPECT_EQ(write.result, static_cast<std::int64_t>(out.size()));
  EXPECT_EQ(::lseek(file.fd(), 0, SEEK_CUR), 0) << "moved the file position";

  std::string in(out.size(), '\0');
  TestOp read(OpCode::kRead, file.fd(), in.data(), in.size(), 16);
  complete(read);
  ASSERT_EQ(read.result, static_cast<std::int64_t>(out.size()));
  EXPECT_EQ(in, out);

  char hole[4] = {1, 1, 1, 1};
  TestOp read_hole(OpCode::kRead, file.fd(), hole, sizeof hole, 0);
  complete(read_hole);
  ASSERT_EQ(read_hole.result, 4);
  EXPECT_EQ(std::string(hole, 4), std::string(4, '\0'));
}

TEST_F(BackendContract, NoOffsetReadsAndWritesAtTheFilePositionAndAdvanceIt) {
  TempFile file;
  std::string first = "one,";
  std::string second = "two";
  TestOp write_first(OpCode::kWrite, file.fd(), first.data(), first.size());
  complete(write_first);
  TestOp write_second(OpCode::kWrite, file.fd(), second.data(), second.size());
  complete(write_second);
  EXPECT_EQ(::lseek(file.fd(), 0, SEEK_CUR), 7);

  ASSERT_EQ(::lseek(file.fd(), 4, SEEK_SET), 4);
  char in[8] = {};
  TestOp read(OpCode::kRead, file.fd(), in, sizeof in);
  complete(read);
  ASSERT_EQ(read.result, 3);
  EXPECT_EQ(std::string(in, 3), "two");
  EXPECT_EQ(::lseek(file.fd(), 0, SEEK_CUR), 7);
}

TEST_F(BackendContract, PollForReadableCompletesWhenThePipeBecomesReadable) {
  Pipe pipe;
  TestOp poll = TestOp::poll(pipe.reader(), kPollIn);
  backend_->submit(poll);
  run_for(30ms);
  EXPECT_FALSE(poll.done());

  pipe.put("x");
  ASSERT_TRUE(run_until([&] { return poll.done(); }));
  EXPECT_EQ(poll.completions, 1);
  EXPECT_EQ(poll.error, 0);
  EXPECT_TRUE(poll.result & kPollIn) << poll.result;
  EXPECT_EQ(pipe.unread(), 1) << "polling must not consume data";
}

TEST_F(BackendContract, PollForWritableCompletesOnAPipeWithRoom) {
  Pipe pipe;
  TestOp poll = TestOp::poll(pipe.writer(), kPollOut);
  complete(poll);
  EXPECT_TRUE(poll.result & kPollOut) << poll.result;
}

TEST_F(BackendContract, PollForReadableReportsHangupWhenTheWriterCloses) {
  Pipe pipe;
  TestOp poll = TestOp::poll(pipe.reader(), kPollIn);
  backend_->submit(poll);
  run_for(10ms);
  pipe.close_writer();
  ASSERT_TRUE(run_until([&] { return poll.done(); }));
  EXPECT_EQ(poll.error, 0);
  EXPECT_TRUE(poll.result & kPollHup) << poll.result;
}

TEST_F(BackendContract, PollForWritableReportsAnErrorWhenTheReaderIsGone) {
  Pipe pipe;
  pipe.close_reader();
  TestOp poll = TestOp::poll(pipe.writer(), kPollOut);
  complete(poll);
  EXPECT_TRUE(poll.result & kPollErr) << poll.result;
}

TEST_F(BackendContract, CancelledReadCompletesOnceAndLeavesBufferUntouched) {
  Pipe pipe;
  char in[8];
  std::memset(in, '#', sizeof in);
  TestOp read(OpCode::kRead, pipe.reader(), in, sizeof in);
  backend_->submit(read);
  run_for(10ms);
  ASSERT_FALSE(read.done());

  backend_->cancel(read);
  ASSERT_TRUE(run_until([&] { return read.done(); }));
  EXPECT_EQ(read.completions, 1);
  EXPECT_EQ(read.error, Operation::kCancelled);

  // Data arriving after the cancel must neither reach the buffer nor be
  // taken out of the pipe.
  pipe.put("late");
  run_for(30ms);
  EXPECT_EQ(read.completions, 1);
  EXPECT_EQ(std::string(in, sizeof in), std::string(sizeof in, '#'));
  EXPECT_EQ(pipe.unread(), 4);
}

TEST_F(BackendContract, CancelBeforeTheNextRunStillCompletesOnceCancelled) {
  Pipe pipe;
  char in[8];
  TestOp read(OpCode::kRead, pipe.reader(), in, sizeof in);
  backend_->submit(read);
  backend_->cancel(read);
  ASSERT_TRUE(run_until([&] { return read.done(); }));
  run_for(10ms);
  EXPECT_EQ(read.completions, 1);
  EXPECT_EQ(read.error, Operation::kCancelled);
}

TEST_F(BackendContract, CancelledPollCompletesOnceCancelled) {
  Pipe pipe;
  TestOp poll = TestOp::poll(pipe.reader(), kPollIn);
  backend_->submit(poll);
  run_for(10ms);
  backend_->cancel(poll);
  ASSERT_TRUE(run_until([&] { return poll.done(); }));
  run_for(10ms);
  EXPECT_EQ(poll.completions, 1);
  EXPECT_EQ(poll.error, Operation::kCancelled);
}

// A cancel that meets a read which already has its data either aborts it,
// leaving the data in the pipe, or reports the real read; never a mix.
TEST_F(BackendContract, CancelRacingACompletedReadReportsTheRealResultOrNone) {
  int real = 0;
  int cancelled = 0;
  for (int round = 0; round < 200; ++round) {
    Pipe pipe;
    char in[8];
    std::memset(in, '#', sizeof in);
    TestOp read(OpCode::kRead, pipe.reader(), in, sizeof in);
    if (round % 2 == 0) {
      // The data is there before the read starts.
      pipe.put("data");
      backend_->submit(read);
    } else {
      // The data arrives while the read waits in the kernel.
      backend_->submit(read);
      backend_->run(Clock::now());
      ASSERT_FALSE(read.done());
      pipe.put("data");
    }
    backend_->cancel(read);
    ASSERT_TRUE(run_until([&] { return read.done(); })) << "round " << round;
    if (read.error == 0) {
      ++real;
      ASSERT_EQ(read.result, 4) << "round " << round;
      EXPECT_EQ(std::string(in, 4), "data");
      EXPECT_EQ(pipe.unread(), 0);
    } else {
      ++cancelled;
      ASSERT_EQ(read.error, Operation::kCancelled) << "round " << round;
      EXPECT_EQ(std::string(in, sizeof in), std::string(sizeof in, '#'));
      EXPECT_EQ(pipe.unread(), 4);
    }
    EXPECT_EQ(read.completions, 1);
  }
  std::printf("real results: %d, cancelled: %d\n", real, cancelled);
  RecordProperty("real_results", real);
  RecordProperty("cancelled", cancelled);
}

TEST_F(BackendContract, RunReturnsAtItsDeadlineWhenNothingCompletes) {
  Pipe pipe;
  char in[8];
  TestOp read(OpCode::kRead, pipe.reader(), in, sizeof in);
  backend_->submit(read);

  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + 50ms;
  backend_->run(deadline);
  const Clock::time_point end = Clock::now();
  EXPECT_GE(end, deadline - 1ms);
  EXPECT_LT(end - start, 1s);
  EXPECT_FALSE(read.done());

  backend_->cancel(read);
  ASSERT_TRUE(run_until([&] { return read.done(); }));
}

TEST_F(BackendContract, RunWithADeadlineNotInTheFutureDoesNotBlock) {
  Pipe pipe;
  char in[8];
  TestOp read(OpCode::kRead, pipe.reader(), in, sizeof in);
  backend_->submit(read);

  for (const Clock::time_point deadline :
       {Clock::now(), Clock::now() - 1s, Clock::time_point::min()}) {
    const Clock::time_point start = Clock::now();
    backend_->run(deadline);
    EXPECT_LT(Clock::now() - start, 100ms);
  }
  EXPECT_FALSE(read.done());

  backend_->cancel(read);
  ASSERT_TRUE(run_until([&] { return read.done(); }));
}

TEST_F(BackendContract, WakeFromAnotherThreadUnblocksRunWithoutDeadline) {
  Watchdog watchdog(5s);
  const Clock::time_point start = Clock::now();
  std::thread waker([this] {
    std::this_thread::sleep_for(50ms);
    backend_->wake();
  });
  backend_->run(Clock::time_point::max());
  const Clock::duration elapsed = Clock::now() - start;
  waker.join();
  EXPECT_LT(elapsed, 2s);
}

TEST_F(BackendContract, WakeBeforeRunMakesTheNextRunReturn) {
  Watchdog watchdog(5s);
  backend_->run(Clock::now());
  backend_->wake();
  const Clock::time_point start = Clock::now();
  backend_->run(Clock::time_point::max());
  EXPECT_LT(Clock::now() - start, 2s);
}

TEST_F(BackendContract, EveryWakeUnblocksARunNotJustTheFirst) {
  constexpr int kRounds = 100;
  Watchdog watchdog(10s);
  std::atomic<int> runs_returned{0};
  std::thread waker([&] {
    for (int round = 1; round <= kRounds; ++round) {
      while (runs_returned < round - 1) std::this_thread::yield();
      std::this_thread::sleep_for(1ms);
      backend_->wake();
    }
  });
  for (int round = 1; round <= kRounds; ++round) {
    backend_->run(Clock::time_point::max());
    runs_returned = round;
  }
  waker.join();
}

TEST_F(BackendContract, WakesFromManyThreadsAreNeverLost) {
  Watchdog watchdog(20s);
  std::atomic<bool> stop{false};
  std::atomic<int> running{4};
  std::vector<std::thread> wakers;
  for (int i = 0; i < 4; ++i) {
    wakers.emplace_back([&] {
      for (int n = 0; n < 20000; ++n) backend_->wake();
      // The last thread out stops the loop; its wake() must get through.
      if (--running == 0) {
        stop = true;
        backend_->wake();
      }
    });
  }
  int runs = 0;
  while (!stop) {
    backend_->run(Clock::time_point::max());
    ++runs;
  }
  for (std::thread& waker : wakers) waker.join();
  std::printf("80000 wakes, %d runs\n", runs);
}

TEST_F(BackendContract, ThousandsOfOperationsInFlightEachCompleteOnce) {
  constexpr int kReads = 1000;
  constexpr int kPolls = 1000;
  Pipe read_pipe;
  Pipe poll_pipe;
  std::vector<char> in(kReads, '\0');
  std::vector<TestOp> ops;
  ops.reserve(kReads + kPolls);
  for (int i = 0; i < kReads; ++i) {
    ops.emplace_back(OpCode::kRead, read_pipe.reader(), &in[i], 1);
  }
  for (int i = 0; i < kPolls; ++i) {
    ops.push_back(TestOp::poll(poll_pipe.reader(), kPollIn));
  }
  for (TestOp& op : ops) backend_->submit(op);
  backend_->run(Clock::now());

  std::string out(kReads, '\0');
  for (int i = 0; i < kReads; ++i) out[i] = static_cast<char>('a' + i % 26);
  read_pipe.put(out);
  poll_pipe.put("!");
  ASSERT_TRUE(run_until([&] {
    return std::all_of(ops.begin(), ops.end(),
                       [](const TestOp& op) { return op.done(); });
  }));
  run_for(20ms);
  for (const TestOp& op : ops) {
    ASSERT_EQ(op.completions, 1);
    ASSERT_EQ(op.error, 0);
    ASSERT_EQ(op.result, op.code == OpCode::kRead ? 1 : kPollIn);
  }
  std::string got(in.begin(), in.end());
  std::sort(got.begin(), got.end());
  std::sort(out.begin(), out.end());
  EXPECT_EQ(got, out);
}

// More completions at once than a completion queue is likely to hold.
TEST_F(BackendContract, ABurstOfTenThousandCompletionsIsDeliveredInFull) {
  constexpr int kPolls = 10000;
  Pipe pipe;
  std::vector<TestOp> polls(kPolls, TestOp::poll(pipe.writer(), kPollOut));
  for (TestOp& poll : polls) backend_->submit(poll);
  ASSERT_TRUE(run_until([&] {
    return std::all_of(polls.begin(), polls.end(),
                       [](const TestOp& op) { return op.done(); });
  }));
  run_for(20ms);
  for (const TestOp& poll : polls) {
    ASSERT_EQ(poll.completions, 1);
    ASSERT_EQ(poll.error, 0);
    ASSERT_EQ(poll.result, kPollOut);
  }
}

TEST_F(BackendContract, ErrorsAreReportedAsErrnoValues) {
  Pipe pipe;
  const int closed = ::dup(pipe.reader());
  ::close(closed);
  char in[8];
  TestOp read_closed(OpCode::kRead, closed, in, sizeof in);
  backend_->submit(read_closed);
  ASSERT_TRUE(run_until([&] { return read_closed.done(); }));
  EXPECT_EQ(read_closed.completions, 1);
  EXPECT_EQ(read_closed.error, EBADF) << std::strerror(read_closed.error);

  char out[] = "x";
  TestOp write_read_end(OpCode::kWrite, pipe.reader(), out, 1);
  backend_->submit(write_read_end);
  ASSERT_TRUE(run_until([&] { return write_read_end.done(); }));
  EXPECT_EQ(write_read_end.error, EBADF) << std::strerror(write_read_end.error);
}

TEST_F(BackendContract, CompletionHandlerMaySubmitAnotherOperation) {
  Pipe pipe;
  std::string out = "chained";
  char in[16] = {};
  TestOp read(OpCode::kRead, pipe.reader(), in, sizeof in);
  TestOp write(OpCode::kWrite, pipe.writer(), out.data(), out.size());
  write.then = [&](TestOp&) { backend_->submit(read); };
  backend_->submit(write);
  ASSERT_TRUE(run_until([&] { return read.done(); }));
  EXPECT_EQ(write.completions, 1);
  EXPECT_EQ(read.completions, 1);
  ASSERT_EQ(read.result, static_cast<std::int64_t>(out.size()));
  EXPECT_EQ(std::string(in, out.size()), out);
}

TEST_F(BackendContract, CompletionHandlerMayCancelAnotherOperation) {
  Pipe idle;
  Pipe ready;
  char in[8];
  TestOp read(OpCode::kRead, idle.reader(), in, sizeof in);
  TestOp poll = TestOp::poll(ready.writer(), kPollOut);
  poll.then = [&](TestOp&) { backend_->cancel(read); };
  backend_->submit(read);
  backend_->run(Clock::now());
  backend_->submit(poll);
  ASSERT_TRUE(run_until([&] { return read.done(); }));
  EXPECT_EQ(poll.completions, 1);
  EXPECT_EQ(read.completions, 1);
  EXPECT_EQ(read.error, Operation::kCancelled);
}

}  // namespace
}  // namespace coio
