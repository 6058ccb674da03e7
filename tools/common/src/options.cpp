#include "streamstore/tools/options.hpp"

#include <exception>

#include <spdlog/spdlog.h>

#include "streamstore/runtime/logging.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::tools {

int run_tool(const std::string& name, const ToolOptions& options, const std::function<int()>& body) {
    runtime::init_logging(name, options.log_level, options.log_format);
    try {
        return body();
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitFailure;
    }
}

void add_tool_options(CLI::App& app, ToolOptions& o) {
    runtime::add_connection_options(app, o);
    runtime::add_duration_option(app, "--timeout", o.timeout,
                                 "Bound on all Kafka work (metadata, reading to the end, delivery), then exit 1",
                                 "STREAMSTORE_TIMEOUT");
}

}  // namespace streamstore::tools
