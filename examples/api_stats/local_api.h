// The API api_stats calls when it is given no base URL: six weather
// stations, /stations/1 to /stations/6, each a small JSON document with a
// temperature, some of them slow to answer. Served by examples/common's
// HTTP server on 127.0.0.1 in the same program.
#pragma once

#include <string>

#include "coio/coio.h"

struct LocalApi {
  coio::Server server;
  std::string base_url;  // "http://127.0.0.1:PORT/stations"
  int count = 0;         // stations 1 to count
};

// Starts the API on a free port.
coio::Task<LocalApi> start_local_api();
