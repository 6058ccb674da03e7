#pragma once
// order-generator's flags, separate from main() so that tests can parse them.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "order_generator.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::order_generator {

struct Options {
    runtime::CommonOptions common;
    std::uint64_t count = 0;  ///< 0 = until stopped
    std::chrono::milliseconds interval{500};
    std::optional<double> rate;             ///< --rate, orders/s; excludes --interval
    std::uint32_t burst = 1;                ///< --burst: orders back to back per tick
    std::chrono::milliseconds duration{0};  ///< --duration: stop sending after this long; 0 = no limit
    std::string summary_format = "text";    ///< --summary-format: text or json
    std::string topic = "orders";
    std::optional<std::uint64_t> seed;
    std::string compression = "lz4";

    [[nodiscard]] GeneratorConfig generator_config() const;
};

void add_options(CLI::App& app, Options& options);

}  // namespace streamstore::order_generator
