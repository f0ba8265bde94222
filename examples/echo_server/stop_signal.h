// What asyncio's loop.add_signal_handler(SIGINT / SIGTERM, ...) does for the
// echo server, on each system: a coroutine that returns when the user or the
// system asks the program to stop. On POSIX that is SIGINT (Ctrl+C) or
// SIGTERM; on Windows a console control event (Ctrl+C, Ctrl+Break, the
// console closing), which is also what Wine delivers for a SIGINT sent to
// the program.
#pragma once

#include "coio/coio.h"

// One per program, made in main() before coio::run: on POSIX it blocks the
// signals in the threads the loop starts later, so that they wait for
// wait() instead of ending the process. Throws std::system_error if the
// system refuses.
class StopSignal {
 public:
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Returns once a stop request has arrived (at once if one came before).
  coio::Task<void> wait();

 private:
  int signal_fd_ = -1;  // POSIX: the signalfd the signals wait in
};
