#pragma once
// The client side of a health check: what `<service> --probe URL` runs, so slim images can have a
// Docker HEALTHCHECK without curl.

#include <chrono>
#include <ostream>
#include <string_view>

namespace streamstore::observability {

/// GETs `url` ("http://host[:port][/path]"; port 80 by default; host an IPv4 address, a name or
/// "[IPv6 address]"; only http://) on an io_context of its own, blocking the calling thread for at
/// most about `timeout` (connecting, sending and reading the whole response; resolving a name is
/// bounded by the same deadline, except that a stuck resolver may delay the return).
/// Returns 0 when the status is 2xx, 1 otherwise: another status, an invalid URL, a failure to
/// resolve or connect (refused), a timeout, a malformed or over 8 MiB response.
/// Writes exactly one line to `out` saying what happened:
///   "http://127.0.0.1:8082/readyz: 200 ready: 3 partitions assigned"   (status, first body line)
///   "http://127.0.0.1:8082/readyz: connection refused"
/// Never throws (out of memory aside).
int probe(std::string_view url, std::chrono::milliseconds timeout, std::ostream& out);

}  // namespace streamstore::observability
