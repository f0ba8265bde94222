// http/src/transfer.h: one request on its libcurl easy handle — the
// options it is sent with, the response as it arrives, and the task
// waiting for it.
//
// A plain request is waited for until it ends. A streamed one is "ready"
// once its first body bytes (or its end) arrive; its body then waits in
// `pending_` for body_chunks() to take it, and the transfer pauses
// (CURL_WRITEFUNC_PAUSE) while more than kStreamBuffer bytes are not taken.
#pragma once

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <string>

#include "coio/http/client.h"
#include "coio/internal/parked.h"

namespace coio::http::internal {

class Session;

class Transfer {
 public:
  static constexpr std::size_t kStreamBuffer = 256 * 1024;

  // What a waiting task waits for.
  enum class Until : std::uint8_t { kResponse, kChunk };

  Transfer(std::shared_ptr<Session> session, Request request);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  CURL* easy() const noexcept { return easy_; }
  bool streamed() const noexcept { return request_.stream; }
  bool done() const noexcept { return done_; }

  // Adds the transfer to its session's multi handle.
  void start();
  // Called by the session when libcurl is done with it.
  void finished(CURLcode result) noexcept;

  // co_await wait(Until::kResponse): until the response can be returned.
  // Cancelling it stops the transfer. co_await wait(Until::kChunk): until
  // body bytes are pending or the transfer ended; cancelling it only stops
  // the waiting.
  class Wait;
  Wait wait(Until until) noexcept;

  // Throws the transfer's error, if it failed.
  void throw_if_failed() const;
  // Moves the response out (status, headers, url; the body unless streamed).
  Response take_response();
  // Moves the pending body bytes out and lets a paused transfer go on.
  std::string take_chunk();

 private:
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self) noexcept;
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) noexcept;
  void configure();
  bool satisfied(Until until) const noexcept;
  void notify() noexcept;
  void stop() noexcept;

  std::shared_ptr<Session> session_;
  Request request_;
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};

  Response response_;
  std::string pending_;
  bool running_ = false;
  bool first_bytes_ = false;
  bool paused_ = false;
  bool done_ = false;
  bool cancelled_ = false;
  CURLcode result_ = CURLE_OK;
  Wait* waiter_ = nullptr;
};

class Transfer::Wait : coio::internal::Parked {
 public:
  Wait(Transfer& transfer, Until until) noexcept : transfer_(&transfer), until_(until) {}
  bool await_ready() const noexcept { return transfer_->satisfied(until_); }
  bool await_suspend(std::coroutine_handle<> handle) noexcept {
    if (!park(handle)) return false;
    transfer_->waiter_ = this;
    return true;
  }
  void await_resume() const { throw_if_cancelled(); }

 private:
  friend class Transfer;
  void cancel() noexcept override;
  void ready() noexcept {
    transfer_->waiter_ = nullptr;
    wake();
  }

  Transfer* transfer_;
  Until until_;
};

inline Transfer::Wait Transfer::wait(Until until) noexcept { return Wait(*this, until); }

}  // namespace coio::http::internal
