#include "coio/gather.h"

#include <exception>

namespace coio::internal {

Task<void> gather_all_or_first_exception(ChildSet& set) {
  co_await set.wait({ChildSet::kAll, ChildSet::Failure::kAnyException}, std::nullopt,
                    ChildSet::OnCancel::kCancelChildren);
  if (PromiseBase* failed = set.first_exception()) {
    set.cancel_unfinished();
    co_await set.wait({ChildSet::kAll, ChildSet::Failure::kNone}, std::nullopt, ChildSet::OnCancel::kCancelChildren);
    std::rethrow_exception(failed->exception_);
  }
}

Task<void> gather_all(ChildSet& set) {
  co_await set.wait({ChildSet::kAll, ChildSet::Failure::kNone}, std::nullopt, ChildSet::OnCancel::kCancelChildren);
}

}  // namespace coio::internal
