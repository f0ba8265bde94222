// coio/coio.h: everything coio offers, in one include.
//
// coio is asyncio for C++20: the same model (run, create_task, gather, wait,
// wait_for, queues, async generators) on the kernel's own asynchronous
// interfaces. Start with coio::run:
//
//   #include "coio/coio.h"
//   using namespace std::chrono_literals;
//
//   coio::Task<int> fetch_data(int id) {
//     co_await coio::sleep(1s);
//     co_return id * 10;
//   }
//   coio::Task<void> amain() {
//     auto [a, b] = co_await coio::gather(fetch_data(1), fetch_data(2));
//   }
//   int main() { coio::run(amain()); }
#pragma once

#include "coio/condition.h"
#include "coio/datagram.h"
#include "coio/descriptor.h"
#include "coio/errors.h"
#include "coio/event.h"
#include "coio/file.h"
#include "coio/gather.h"
#include "coio/generator.h"
#include "coio/lock.h"
#include "coio/loop.h"
#include "coio/queue.h"
#include "coio/resolve.h"
#include "coio/result.h"
#include "coio/run.h"
#include "coio/semaphore.h"
#include "coio/shield.h"
#include "coio/sleep.h"
#include "coio/socket_address.h"
#include "coio/streams.h"
#include "coio/task.h"
#include "coio/task_group.h"
#include "coio/task_handle.h"
#include "coio/tcp.h"
#include "coio/to_thread.h"
#include "coio/wait.h"
