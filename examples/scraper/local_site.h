// The site the scraper fetches when it is given no URL: 20 generated pages
// of various sizes, some of them slow, and one missing page (a 404), served
// by examples/common's HTTP server on 127.0.0.1 in the same program.
#pragma once

#include <string>
#include <vector>

#include "coio/coio.h"

struct LocalSite {
  coio::Server server;
  std::vector<std::string> urls;  // every page, then the missing one
};

// Starts the site on a free port.
coio::Task<LocalSite> start_local_site();
