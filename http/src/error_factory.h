// http/src/error_factory.h: turns a failed transfer into the exception the
// API promises for it.
#pragma once

#include <curl/curl.h>

#include <string>

namespace coio::http::internal {

// Throws TimeoutError for CURLE_OPERATION_TIMEDOUT, else Error. `detail` is
// libcurl's error buffer (may be empty).
[[noreturn]] void throw_transfer_error(CURLcode code, const char* detail, const std::string& url, int os_error);

}  // namespace coio::http::internal
