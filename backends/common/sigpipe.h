// backends/common/sigpipe.h: what every POSIX backend's factory does about
// SIGPIPE.
#pragma once

namespace coio::internal {

// Ignores SIGPIPE unless the program chose what it does, as CPython does at
// start-up: a write to a pipe or socket whose reader is gone then fails with
// EPIPE instead of killing the process (kSend and kSendTo can pass
// MSG_NOSIGNAL, but kWrite has no such flag). Acts once per process, so a
// program may still restore the default afterwards; a child process started
// later must restore SIG_DFL itself, since an ignored signal survives exec.
void ignore_sigpipe_once();

}  // namespace coio::internal
