// coio/errors.h: the exceptions coio throws, named after asyncio's.
//
//   try { co_await coio::wait_for(fetch(), 1s); }
//   catch (const coio::TimeoutError&) { ... }
//
// OS errors are std::system_error carrying the error code and the name of the
// operation that failed.
#pragma once

#include <stdexcept>
#include <string>

namespace coio {

// Thrown at the await where a task was cancelled (asyncio.CancelledError),
// and when awaiting a task that ended cancelled.
class CancelledError : public std::exception {
 public:
  const char* what() const noexcept override { return "coio::CancelledError: the task was cancelled"; }
};

// Thrown by wait_for() when the deadline passes (asyncio.TimeoutError).
class TimeoutError : public std::runtime_error {
 public:
  TimeoutError() : std::runtime_error("coio::TimeoutError: the deadline passed") {}
  using std::runtime_error::runtime_error;
};

// Thrown by Queue::get_nowait() on an empty queue (asyncio.QueueEmpty).
class QueueEmpty : public std::runtime_error {
 public:
  QueueEmpty() : std::runtime_error("coio::QueueEmpty: the queue is empty") {}
};

// Thrown by Queue::put_nowait() on a full queue (asyncio.QueueFull).
class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("coio::QueueFull: the queue is full") {}
};

// Thrown when an operation does not fit the object's state, e.g. asking a
// running task for its result (asyncio.InvalidStateError).
class InvalidStateError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace coio
