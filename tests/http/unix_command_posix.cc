#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "unix_command.h"

namespace coio::testing {

std::string make_unix_temp_dir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string name = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/coio_XXXXXX";
  if (::mkdtemp(name.data()) == nullptr) throw std::system_error(errno, std::system_category(), "mkdtemp " + name);
  return name;
}

std::string local_path(const std::string& unix_path) { return unix_path; }

int run_shell(const std::string& command, const std::string&) { return std::system(command.c_str()); }

void ShellProcess::start(const std::string& command, const std::string&) {
  const std::string line = "exec " + command;
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::system_category(), "fork");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // nothing outlives a crashed test
    ::execl("/bin/sh", "sh", "-c", line.c_str(), nullptr);
    std::perror("exec /bin/sh");
    ::_exit(127);
  }
  pid_ = pid;
}

bool ShellProcess::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(static_cast<pid_t>(pid_), &status, WNOHANG) != pid_) return false;
  pid_ = -1;
  return true;
}

void ShellProcess::stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(static_cast<pid_t>(pid_), SIGTERM);
  int status = 0;
  ::waitpid(static_cast<pid_t>(pid_), &status, 0);
  pid_ = -1;
}

}  // namespace coio::testing
