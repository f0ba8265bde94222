#include "coio/wait.h"

namespace coio::internal {

Task<void> wait_children(ChildSet& set, ReturnWhen when, std::optional<Clock::duration> timeout) {
  ChildSet::Until until;
  switch (when) {
    case ReturnWhen::kFirstCompleted:
      until = {1, ChildSet::Failure::kNone};
      break;
    case ReturnWhen::kFirstException:
      until = {ChildSet::kAll, ChildSet::Failure::kExceptionNotCancel};
      break;
    case ReturnWhen::kAllCompleted:
      until = {ChildSet::kAll, ChildSet::Failure::kNone};
      break;
  }
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;
  co_await set.wait(until, deadline, ChildSet::OnCancel::kStopWaiting);
}

Task<void> wait_for_child(ChildSet& set, Clock::time_point deadline) {
  const ChildSet::Until all{ChildSet::kAll, ChildSet::Failure::kNone};
  const bool finished = co_await set.wait(all, deadline, ChildSet::OnCancel::kCancelChildren);
  if (finished) co_return;
  set.cancel_unfinished();
  co_await set.wait(all, std::nullopt, ChildSet::OnCancel::kCancelChildren);
  if (set.child(0).cancelled()) throw TimeoutError();
}

}  // namespace coio::internal
