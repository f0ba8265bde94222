// coio/http/error.h: what a failed request throws.
//
//   try { auto r = co_await client.get(url); }
//   catch (const coio::http::TimeoutError& e) { ... }   // the Client's timeout
//   catch (const coio::http::Error& e) {
//     e.code();       // libcurl's CURLcode, in curl_category()
//     e.url();        // the URL that was asked for
//     e.os_error();   // errno of the failed system call (ECONNREFUSED), or 0
//   }
//
// An HTTP status of 400 or more is a Response, not an error, until
// raise_for_status() is called (StatusError).
#pragma once

#include <string>
#include <system_error>

namespace coio::http {

// The error category of libcurl's CURLcode values.
const std::error_category& curl_category() noexcept;

class Error : public std::system_error {
 public:
  // what() is "<message> (<url>)", where the message is libcurl's detailed
  // one when there is one ("Failed to connect to 127.0.0.1 port 9: ...").
  Error(int curl_code, const std::string& message, std::string url, int os_error = 0);
  const char* what() const noexcept override { return what_.c_str(); }
  const std::string& url() const noexcept { return url_; }
  int os_error() const noexcept { return os_error_; }

 private:
  std::string what_;
  std::string url_;
  int os_error_;
};

// The connect timeout or the total timeout of a request ran out
// (CURLE_OPERATION_TIMEDOUT). Timeouts put on from outside with
// coio::wait_for() raise coio::TimeoutError, as for any other await.
class TimeoutError : public Error {
 public:
  using Error::Error;
};

// raise_for_status() on a response with status >= 400.
class StatusError : public Error {
 public:
  StatusError(int status, std::string url);
  int status() const noexcept { return status_; }

 private:
  int status_;
};

}  // namespace coio::http
