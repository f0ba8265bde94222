#include "coio/sleep.h"

namespace coio::internal {

Task<void> sleep_for(Clock::duration d) { co_await SleepAwaiter(d); }

}  // namespace coio::internal
