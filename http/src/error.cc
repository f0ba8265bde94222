#include <curl/curl.h>

#include <string>

#include "coio/http/error.h"
#include "error_factory.h"

namespace coio::http {
namespace {

class CurlCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "curl"; }
  std::string message(int code) const override { return curl_easy_strerror(static_cast<CURLcode>(code)); }
};

std::string describe(const std::string& message, const std::string& url) {
  return url.empty() ? message : message + " (" + url + ")";
}

}  // namespace

const std::error_category& curl_category() noexcept {
  static const CurlCategory category;
  return category;
}

Error::Error(int curl_code, const std::string& message, std::string url, int os_error)
    : std::system_error(curl_code, curl_category()),
      what_(describe(message, url)),
      url_(std::move(url)),
      os_error_(os_error) {}

StatusError::StatusError(int status, std::string url)
    : Error(CURLE_HTTP_RETURNED_ERROR, "HTTP status " + std::to_string(status), std::move(url)), status_(status) {}

namespace internal {

void throw_transfer_error(CURLcode code, const char* detail, const std::string& url, int os_error) {
  std::string message = detail != nullptr && detail[0] != '\0' ? detail : curl_easy_strerror(code);
  if (code == CURLE_OPERATION_TIMEDOUT) throw TimeoutError(code, message, url, os_error);
  throw Error(code, message, url, os_error);
}

}  // namespace internal
}  // namespace coio::http
