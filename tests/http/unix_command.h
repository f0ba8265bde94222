// tests/http/unix_command.h: runs the Linux programs the HTTP tests start
// (openssl, nginx) through /bin/sh — with fork/exec on Linux, and from a
// Windows test under Wine with CreateProcess on /bin/sh, which Wine starts
// as a Linux program (docs/windows.md). Commands are one line of sh with no
// double quotes (Wine splits the Windows command line it is given).
#pragma once

#include <cstdint>
#include <string>

namespace coio::testing {

// A new, empty directory under $TEST_TMPDIR (else /tmp), as a Linux path.
std::string make_unix_temp_dir();
// Where this program opens the Linux path `unix_path`: the path itself on
// Linux, Z:<path> under Wine (Z: is Wine's drive for /).
std::string local_path(const std::string& unix_path);

// Runs `command` with sh and returns its exit status; `state_dir` (a Linux
// path) is where the Windows side keeps the status file it waits for.
int run_shell(const std::string& command, const std::string& state_dir);

// A command run with sh in the background. On Linux it dies with the test
// (PR_SET_PDEATHSIG); under Wine it outlives a test that crashes before
// stop(), as Windows code cannot ask for that.
class ShellProcess {
 public:
  ShellProcess() = default;
  ShellProcess(const ShellProcess&) = delete;
  ShellProcess& operator=(const ShellProcess&) = delete;
  ~ShellProcess() { stop(); }

  // Starts `command`; `state_dir` as for run_shell.
  void start(const std::string& command, const std::string& state_dir);
  bool running() const noexcept { return pid_ > 0; }
  // True once the command has ended (it is then no longer running()).
  bool exited();
  // SIGTERM, then waits for it to end.
  void stop() noexcept;

 private:
  std::int64_t pid_ = -1;
  std::string files_;  // Wine: the prefix of the files sh writes the pid and the exit status to
};

}  // namespace coio::testing
