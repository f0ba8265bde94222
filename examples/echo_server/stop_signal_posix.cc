#include "stop_signal.h"

#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <span>
#include <system_error>

// SIGINT and SIGTERM wait in a signalfd instead of ending the process. They
// are blocked before the loop starts any thread, so that every thread
// inherits the mask.
StopSignal::StopSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal_fd_ = signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd_ < 0) throw std::system_error(errno, std::system_category(), "signalfd");
}

StopSignal::~StopSignal() { close(signal_fd_); }

coio::Task<void> StopSignal::wait() {
  signalfd_siginfo info{};
  co_await coio::read_some(signal_fd_, std::as_writable_bytes(std::span(&info, 1)));
}
