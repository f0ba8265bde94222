#include "transfer.h"

#include <algorithm>
#include <utility>

#include "error_factory.h"
#include "os_error.h"
#include "session.h"

namespace coio::http::internal {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Transfer::Transfer(std::shared_ptr<Session> session, Request request)
    : session_(std::move(session)), request_(std::move(request)) {
  easy_ = session_->take_easy();
  try {
    configure();
  } catch (...) {
    curl_slist_free_all(header_list_);
    session_->give_back(easy_);
    throw;
  }
}

Transfer::~Transfer() {
  stop();
  session_->give_back(easy_);
  curl_slist_free_all(header_list_);
}

void Transfer::configure() {
  // The Client's own options are on the handle already (Session::take_easy);
  // these are the request's. give_back() clears them again.
  CURL* e = easy_;
  curl_easy_setopt(e, CURLOPT_URL, request_.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, this);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  if (request_.timeout.count() > 0) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(request_.timeout.count()));
  }

  const std::string& method = request_.method;
  if (method == "GET" && request_.body.empty()) {
    // A handle comes as a GET.
  } else if (method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    if (method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "POST" || !request_.body.empty()) {
      // The body stays in request_ for the transfer's lifetime: no copy.
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, request_.body.data());
    }
  }

  bool has_expect = false;
  for (const auto& [name, value] : request_.headers) {
    has_expect = has_expect || Headers::same_name(name, "Expect");
    // libcurl sends "Name;" as a header with an empty value ("Name:" removes one).
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    curl_slist* grown = curl_slist_append(header_list_, line.c_str());
    if (grown == nullptr) throw std::bad_alloc();
    header_list_ = grown;
  }
  if (!has_expect && !request_.body.empty()) {
    // No "Expect: 100-continue" round trip before a large body (aiohttp
    // sends none either). Without a body there is none to stop, and an
    // empty list spares libcurl a scan of it for every header it adds.
    curl_slist* grown = curl_slist_append(header_list_, "Expect:");
    if (grown == nullptr) throw std::bad_alloc();
    header_list_ = grown;
  }
  if (header_list_ != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_);
}

void Transfer::start() {
  session_->start(*this);
  running_ = true;
}

void Transfer::stop() noexcept {
  if (!running_) return;
  running_ = false;
  session_->stop(*this);
}

void Transfer::finished(CURLcode result) noexcept {
  running_ = false;
  done_ = true;
  result_ = result;
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  response_.status = static_cast<int>(status);
  char* url = nullptr;
  curl_easy_getinfo(easy_, CURLINFO_EFFECTIVE_URL, &url);
  if (url != nullptr) {
    try {
      response_.url = url;
    } catch (...) {
      result_ = CURLE_OUT_OF_MEMORY;
    }
  }
  notify();
}

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t count, void* self) noexcept {
  auto& t = *static_cast<Transfer*>(self);
  const std::size_t length = size * count;
  std::string_view line(data, length);
  try {
    if (line.starts_with("HTTP/")) {
      t.response_.headers.clear();  // a new response: after a redirect or a 100 Continue
    } else if ((line.front() == ' ' || line.front() == '\t') && !t.response_.headers.empty()) {
      // An obsolete folded continuation of the previous field.
      t.response_.headers.fields_.back().second.append(" ").append(trim(line));
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      t.response_.headers.add(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
  } catch (...) {
    return 0;  // fails the transfer with CURLE_WRITE_ERROR
  }
  return length;
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t count, void* self) noexcept {
  auto& t = *static_cast<Transfer*>(self);
  const std::size_t length = size * count;
  try {
    if (!t.request_.stream) {
      t.response_.body.append(data, length);
      return length;
    }
    if (t.pending_.size() >= kStreamBuffer) {
      t.paused_ = true;  // libcurl keeps these bytes and offers them again on unpause
      return CURL_WRITEFUNC_PAUSE;
    }
    t.pending_.append(data, length);
  } catch (...) {
    return 0;
  }
  if (!t.first_bytes_) {
    t.first_bytes_ = true;
    long status = 0;
    curl_easy_getinfo(t.easy_, CURLINFO_RESPONSE_CODE, &status);
    t.response_.status = static_cast<int>(status);
    char* url = nullptr;
    curl_easy_getinfo(t.easy_, CURLINFO_EFFECTIVE_URL, &url);
    if (url != nullptr) t.response_.url = url;
  }
  t.notify();
  return length;
}

bool Transfer::satisfied(Until until) const noexcept {
  if (done_) return true;
  if (until == Until::kResponse) return request_.stream && first_bytes_;
  return !pending_.empty();
}

void Transfer::notify() noexcept {
  if (waiter_ != nullptr && satisfied(waiter_->until_)) waiter_->ready();
}

void Transfer::Wait::cancel() noexcept {
  if (!begin_cancel()) return;
  Transfer& t = *transfer_;
  t.waiter_ = nullptr;
  if (until_ == Until::kResponse) {
    t.stop();
    t.done_ = true;
    t.cancelled_ = true;
  }
  wake_cancelled();
}

void Transfer::throw_if_failed() const {
  if (cancelled_) throw CancelledError();
  if (result_ == CURLE_OK) return;
  long os_error = 0;
  curl_easy_getinfo(easy_, CURLINFO_OS_ERRNO, &os_error);
  throw_transfer_error(result_, error_buffer_, request_.url, errno_of_os_error(os_error));
}

Response Transfer::take_response() {
  Response r = std::move(response_);
  response_ = Response{};
  return r;
}

std::string Transfer::take_chunk() {
  std::string chunk = std::move(pending_);
  pending_.clear();
  if (paused_ && running_) {
    paused_ = false;
    // May call on_body at once with the bytes held back; libcurl then
    // schedules the transfer through the timer callback.
    curl_easy_pause(easy_, CURLPAUSE_CONT);
  }
  return chunk;
}

}  // namespace coio::http::internal
