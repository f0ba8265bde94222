// --//:backend=auto on Linux: when this process may not use io_uring (the
// seccomp profile of many containers), the loop runs on Asio and says why
// once on stderr; --//:backend=io_uring fails instead, naming the cause.
//
// Each case runs in a forked child that installs a seccomp filter making
// io_uring_setup fail with EPERM, as a container's profile does.
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <string>
#include <system_error>

#include "coio/coio.h"
#include "gtest/gtest.h"

namespace coio {
namespace {

void forbid_io_uring_setup() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof(filter) / sizeof(filter[0])), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    std::perror("seccomp");
    _exit(3);
  }
}

struct ChildResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs `body` in a child process without io_uring; returns what it printed.
template <class F>
ChildResult run_without_io_uring(F body) {
  int fds[2];
  if (pipe(fds) != 0) throw std::system_error(errno, std::system_category(), "pipe");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    forbid_io_uring_setup();
    int code = body();
    std::fflush(nullptr);
    _exit(code);
  }
  close(fds[1]);
  ChildResult result;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) result.out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Task<std::string> backend_name_twice() {
  std::string name(Loop::current().backend_name());
  co_await sleep(std::chrono::milliseconds(1));
  co_return name;
}

int print_backend_of_two_loops() {
  try {
    std::printf("backend=%s\n", run(backend_name_twice()).c_str());
    std::printf("backend=%s\n", run(backend_name_twice()).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::printf("error=%s\n", e.what());
    return 1;
  }
}

#if defined(COIO_EXPECT_FALLBACK)
TEST(AutoBackend, FallsBackToAsioWhenIoUringIsForbiddenAndSaysSoOnce) {
  ChildResult r = run_without_io_uring(print_backend_of_two_loops);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("backend=asio\nbackend=asio\n"), std::string::npos) << r.out;
  const std::string notice = "io_uring is unavailable";
  const auto first = r.out.find(notice);
  EXPECT_NE(first, std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(notice, first + 1), std::string::npos) << "said more than once:\n" << r.out;
  EXPECT_NE(r.out.find("Operation not permitted"), std::string::npos) << r.out;
}

TEST(AutoBackend, UsesIoUringWhenItIsAllowed) {
  EXPECT_EQ(run(backend_name_twice()), "io_uring");
}
#else
TEST(IoUringBackend, FailsWithAClearErrorWhenIoUringIsForbidden) {
  ChildResult r = run_without_io_uring(print_backend_of_two_loops);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("error="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("io_uring"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Operation not permitted"), std::string::npos) << r.out;
}
#endif

}  // namespace
}  // namespace coio
