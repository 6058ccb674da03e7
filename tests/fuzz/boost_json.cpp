// Boost.JSON's implementation, compiled once here with the fuzzers' instrumentation and
// sanitizers (see CMakeLists.txt) in place of Debian's prebuilt libboost_json.
#include <boost/json/src.hpp>
