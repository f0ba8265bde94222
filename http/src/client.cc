#include "coio/http/client.h"

#include <utility>

#include "session.h"
#include "transfer.h"

namespace coio::http {
namespace {

AsyncGenerator<std::string> stream_chunks(std::shared_ptr<internal::Transfer> transfer) {
  using Until = internal::Transfer::Until;
  for (;;) {
    co_await transfer->wait(Until::kChunk);
    std::string chunk = transfer->take_chunk();
    if (!chunk.empty()) {
      co_yield std::move(chunk);
    } else if (transfer->done()) {
      transfer->throw_if_failed();
      co_return;
    }
  }
}

AsyncGenerator<std::string> whole_body(std::string body) {
  if (!body.empty()) co_yield std::move(body);
}

Task<Response> run_request(std::shared_ptr<internal::Session> session, Request request) {
  using Until = internal::Transfer::Until;
  auto transfer = std::make_shared<internal::Transfer>(std::move(session), std::move(request));
  transfer->start();
  co_await transfer->wait(Until::kResponse);
  // A streamed response may have ended already, with a failure.
  transfer->throw_if_failed();
  Response response = transfer->take_response();
  if (transfer->streamed()) response.stream_ = std::move(transfer);
  co_return response;
}

Request make_request(const char* method, std::string url, Headers headers, std::string body = {}) {
  Request request;
  request.method = method;
  request.url = std::move(url);
  request.headers = std::move(headers);
  request.body = std::move(body);
  return request;
}

}  // namespace

void Response::raise_for_status() const {
  if (status >= 400) throw StatusError(status, url);
}

AsyncGenerator<std::string> Response::body_chunks() const {
  if (stream_) return stream_chunks(stream_);
  return whole_body(body);
}

Client::Client(ClientOptions options) : session_(std::make_shared<internal::Session>(std::move(options))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const ClientOptions& Client::options() const noexcept { return session_->options(); }

Task<Response> Client::request(Request request) { return run_request(session_, std::move(request)); }

Task<Response> Client::get(std::string url, Headers headers) {
  return request(make_request("GET", std::move(url), std::move(headers)));
}

Task<Response> Client::post(std::string url, std::string body, Headers headers) {
  return request(make_request("POST", std::move(url), std::move(headers), std::move(body)));
}

Task<Response> Client::put(std::string url, std::string body, Headers headers) {
  return request(make_request("PUT", std::move(url), std::move(headers), std::move(body)));
}

Task<Response> Client::delete_(std::string url, Headers headers) {
  return request(make_request("DELETE", std::move(url), std::move(headers)));
}

}  // namespace coio::http
