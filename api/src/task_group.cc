#include "coio/task_group.h"

#include <exception>

namespace coio {

Task<void> TaskGroup::join() {
  co_await children_.wait({internal::ChildSet::kAll, internal::ChildSet::Failure::kNone}, std::nullopt,
                          internal::ChildSet::OnCancel::kCancelChildren);
  joined_ = true;
  if (internal::PromiseBase* failed = children_.first_failure()) std::rethrow_exception(failed->exception_);
}

}  // namespace coio
