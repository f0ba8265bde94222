#include "backends/common/sigpipe.h"

#include <csignal>

namespace coio::internal {

void ignore_sigpipe_once() {
#ifdef SIGPIPE
  static const bool once = [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && !(current.sa_flags & SA_SIGINFO) &&
        current.sa_handler == SIG_DFL) {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      sigemptyset(&ignore.sa_mask);
      ::sigaction(SIGPIPE, &ignore, nullptr);
    }
    return true;
  }();
  (void)once;
#endif
}

}  // namespace coio::internal
