#include "stop_signal.h"  // first: coio's headers bring winsock2.h, which must precede windows.h

#include <windows.h>

#include <mutex>
#include <system_error>

namespace {

// The console control handler runs on a thread of its own, which Windows
// (and Wine, for a SIGINT) starts for each event; it reaches the loop only
// through call_soon_threadsafe.
struct Requests {
  std::mutex mutex;
  bool arrived = false;
  coio::Loop* loop = nullptr;     // the waiting loop, while wait() waits
  coio::Event* event = nullptr;  // set on that loop's thread
} requests;

// On the loop's thread: the event is looked up again, since wait() may have
// ended between the post and now.
void set_waiting_event() {
  const std::lock_guard lock(requests.mutex);
  if (requests.event != nullptr) requests.event->set();
}

BOOL WINAPI on_console_control(DWORD event) {
  if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT && event != CTRL_CLOSE_EVENT) return FALSE;
  const std::lock_guard lock(requests.mutex);
  requests.arrived = true;
  if (requests.loop != nullptr) requests.loop->call_soon_threadsafe(set_waiting_event);
  return TRUE;  // handled: the process goes on until the server has closed
}

// Clears the waiting loop and event when wait() ends, however it ends.
struct Waiting {
  Waiting(coio::Loop& loop, coio::Event& event) {
    const std::lock_guard lock(requests.mutex);
    requests.loop = &loop;
    requests.event = &event;
    if (requests.arrived) event.set();
  }
  ~Waiting() {
    const std::lock_guard lock(requests.mutex);
    requests.loop = nullptr;
    requests.event = nullptr;
  }
};

}  // namespace

StopSignal::StopSignal() {
  if (!::SetConsoleCtrlHandler(on_console_control, TRUE)) {
    throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), "SetConsoleCtrlHandler");
  }
}

StopSignal::~StopSignal() { ::SetConsoleCtrlHandler(on_console_control, FALSE); }

coio::Task<void> StopSignal::wait() {
  coio::Event arrived;
  const Waiting waiting(coio::Loop::current(), arrived);
  co_await arrived.wait();
}
