// File: client/probe.hpp — wsecho-client --probe URL: one HTTP GET whose exit code a health check reads
// (the Docker image's HEALTHCHECK uses it, so the image needs no curl).
#pragma once

#include <chrono>
#include <string_view>

namespace wsecho::cli {

// GETs `url` ("http://host[:port]/path") once. Connecting, sending and reading the answer's header are
// bounded by `timeout` together. Prints one line naming the URL: the status on stdout for a 2xx answer
// (returns 0); otherwise the status or the failed step on stderr (returns 1). A malformed URL throws
// CLI::ValidationError naming --probe.
int run_probe(std::string_view url, std::chrono::milliseconds timeout);

}  // namespace wsecho::cli
