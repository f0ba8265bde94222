#include "coio/sleep.h"

namespace coio::internal {

Task<void> sleep_for(Clock::duration d) { co_await Sleep(d); }

}  // namespace coio::internal
