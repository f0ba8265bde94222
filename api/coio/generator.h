// coio/generator.h: AsyncGenerator<T> (an async generator, consumed with
// the equivalent of `async for`).
//
// A coroutine that co_awaits and co_yields values of T. It runs only while
// its consumer waits for the next value, as part of the consumer's task, so
// cancelling the consumer cancels whatever the generator is awaiting.
//
//   coio::AsyncGenerator<int> ticks(int n) {
//     for (int i = 0; i < n; ++i) { co_await coio::sleep(10ms); co_yield i; }
//   }
//   auto gen = ticks(3);
//   while (auto v = co_await gen.next()) use(*v);
//   // or: for (auto it = co_await gen.begin(); it != gen.end(); co_await ++it) use(*it);
//   // or: co_await coio::for_each(ticks(3), [](int v) { use(v); });
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "coio/errors.h"
#include "coio/internal/frame_pool.h"
#include "coio/task.h"

namespace coio {

template <class T>
class [[nodiscard]] AsyncGenerator {
 public:
  class promise_type {
   public:
    static void* operator new(std::size_t size) { return internal::allocate_frame(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { internal::free_frame(frame, size); }

    AsyncGenerator get_return_object() noexcept {
      return AsyncGenerator(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    std::suspend_always initial_suspend() noexcept { return {}; }
    auto final_suspend() noexcept { return ToConsumer{}; }
    void unhandled_exception() noexcept { exception_ = std::current_exception(); }
    void return_void() noexcept {}

    template <class U = T>
    auto yield_value(U&& value) {
      value_.emplace(std::forward<U>(value));
      return ToConsumer{};
    }

   private:
    friend class AsyncGenerator;
    struct ToConsumer {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        return h.promise().consumer_;
      }
      void await_resume() const noexcept {}
    };

    std::coroutine_handle<> consumer_;
    std::optional<T> value_;
    std::exception_ptr exception_;
  };

  using Handle = std::coroutine_handle<promise_type>;

 private:
  struct NextAwaiter {
    Handle h;
    bool await_ready() const noexcept { return !h || h.done(); }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> consumer) noexcept {
      h.promise().consumer_ = consumer;
      h.promise().value_.reset();
      return h;
    }
    // Returns whether a value is there; rethrows the generator's exception.
    bool advance() {
      if (!h) return false;
      auto& p = h.promise();
      if (p.exception_) std::rethrow_exception(std::exchange(p.exception_, nullptr));
      return !h.done() && p.value_.has_value();
    }
    std::optional<T> await_resume() {
      if (!advance()) return std::nullopt;
      return std::move(h.promise().value_);
    }
  };

 public:

  AsyncGenerator() noexcept = default;
  explicit AsyncGenerator(Handle h) noexcept : h_(h) {}
  AsyncGenerator(AsyncGenerator&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  AsyncGenerator& operator=(AsyncGenerator&& other) noexcept {
    if (this != &other) {
      reset();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  ~AsyncGenerator() { reset(); }

  // Runs the generator to its next co_yield. The await returns the value,
  // std::nullopt once the generator has returned, or rethrows its exception.
  auto next() noexcept { return NextAwaiter{h_}; }

  class Iterator {
   public:
    T& operator*() const noexcept { return *gen_->h_.promise().value_; }
    T* operator->() const noexcept { return &*gen_->h_.promise().value_; }
    // Advances to the next value: co_await ++it.
    auto operator++() noexcept { return AdvanceAwaiter{NextAwaiter{gen_->h_}, this}; }
    friend bool operator==(const Iterator& it, std::default_sentinel_t) noexcept { return it.gen_ == nullptr; }

   private:
    friend class AsyncGenerator;
    explicit Iterator(AsyncGenerator* gen) noexcept : gen_(gen) {}
    struct AdvanceAwaiter {
      NextAwaiter step;
      Iterator* it;
      bool await_ready() const noexcept { return step.await_ready(); }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) noexcept { return step.await_suspend(h); }
      Iterator& await_resume() {
        if (!step.advance()) it->gen_ = nullptr;
        return *it;
      }
    };
    AsyncGenerator* gen_;
  };

  // co_await gen.begin() runs to the first value; compare with end().
  auto begin() noexcept {
    struct BeginAwaiter {
      NextAwaiter step;
      AsyncGenerator* gen;
      bool await_ready() const noexcept { return step.await_ready(); }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) noexcept { return step.await_suspend(h); }
      Iterator await_resume() { return Iterator(step.advance() ? gen : nullptr); }
    };
    return BeginAwaiter{NextAwaiter{h_}, this};
  }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  void reset() noexcept {
    if (h_) std::exchange(h_, {}).destroy();
  }

  Handle h_;
};

// Calls fn on every value of `gen` (`async for v in gen: fn(v)`); fn may
// return void or a Task<void> that is awaited before the next value.
template <class T, class F>
Task<void> for_each(AsyncGenerator<T> gen, F fn) {
  while (auto value = co_await gen.next()) {
    if constexpr (std::is_same_v<std::invoke_result_t<F&, T&>, Task<void>>) {
      co_await fn(*value);
    } else {
      fn(*value);
    }
  }
}

}  // namespace coio
