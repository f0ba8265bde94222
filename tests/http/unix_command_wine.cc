// Under Wine, CreateProcess on a Linux executable starts it as a Linux
// program (Wine forks and execs it), but hands back no process handle and
// no id: nothing to wait on or to kill. So everything goes through
// /bin/sh, which writes what the test needs to know into files: the exit
// status of a command, the process id of one in the background.
#include <windows.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "unix_command.h"

namespace coio::testing {
namespace {

std::atomic<int> next_id{0};

std::string unique_suffix() {
  return std::to_string(::GetCurrentProcessId()) + "_" + std::to_string(next_id.fetch_add(1));
}

// Starts `/bin/sh -c line`, and returns at once.
void start_sh(const std::string& line) {
  if (line.find('"') != std::string::npos) throw std::invalid_argument("a shell command with a double quote: " + line);
  std::string command_line = "sh -c \"" + line + "\"";
  STARTUPINFOA startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION process{};
  if (!::CreateProcessA("Z:\\bin\\sh", command_line.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr, &startup,
                        &process)) {
    throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), "CreateProcess /bin/sh");
  }
  if (process.hProcess != nullptr) ::CloseHandle(process.hProcess);
  if (process.hThread != nullptr) ::CloseHandle(process.hThread);
}

bool exists(const std::string& unix_path) {
  return ::GetFileAttributesA(local_path(unix_path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

// The content of `unix_path` once sh has moved it into place.
std::string wait_for_file(const std::string& unix_path, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exists(unix_path)) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("sh never wrote " + unix_path);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::ifstream in(local_path(unix_path));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// sh that writes `value` (expanded by sh) into `file` at once: other
// readers see the whole value or no file.
std::string publish(const std::string& value, const std::string& file) {
  return "echo " + value + " > " + file + ".tmp; mv " + file + ".tmp " + file;
}

}  // namespace

std::string make_unix_temp_dir() {
  const char* base = std::getenv("TEST_TMPDIR");
  const std::string parent = base != nullptr && *base != '\0' ? base : "/tmp";
  for (;;) {
    std::string name = parent + "/coio_" + unique_suffix();
    if (::CreateDirectoryA(local_path(name).c_str(), nullptr)) return name;
    if (::GetLastError() != ERROR_ALREADY_EXISTS) {
      throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), "mkdir " + name);
    }
  }
}

std::string local_path(const std::string& unix_path) { return "Z:" + unix_path; }

int run_shell(const std::string& command, const std::string& state_dir) {
  const std::string status = state_dir + "/status_" + unique_suffix();
  start_sh("(" + command + "); " + publish("$?", status));
  return std::stoi(wait_for_file(status, std::chrono::seconds(120)));
}

void ShellProcess::start(const std::string& command, const std::string& state_dir) {
  files_ = state_dir + "/process_" + unique_suffix();
  // A simple command put in the background is forked and exec'd: $! is its
  // own process id.
  start_sh(command + " & " + publish("$!", files_ + ".pid") + "; wait $!; " + publish("$?", files_ + ".exit"));
  pid_ = std::stoll(wait_for_file(files_ + ".pid", std::chrono::seconds(30)));
}

bool ShellProcess::exited() {
  if (pid_ <= 0) return true;
  if (!exists(files_ + ".exit")) return false;
  pid_ = -1;
  return true;
}

void ShellProcess::stop() noexcept {
  if (pid_ <= 0) return;
  try {
    const std::string dir = files_.substr(0, files_.rfind('/'));
    run_shell("kill -TERM " + std::to_string(pid_), dir);
    wait_for_file(files_ + ".exit", std::chrono::seconds(30));
  } catch (...) {
    // sh did not answer: the command is left running, as nothing else here
    // can end a Linux process.
  }
  pid_ = -1;
}

}  // namespace coio::testing
