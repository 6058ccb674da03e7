#pragma once
// payment-service's flags, separate from main() so that tests can parse them.

#include <string>

#include <CLI/CLI.hpp>

#include "payment_service.hpp"
#include "streamstore/runtime/options.hpp"

namespace streamstore::payment {

struct Options {
    runtime::CommonOptions common;
    std::string orders_topic = "orders";
    std::string payments_topic = "payments";
    std::string group_id = "payment-service";
    std::string max_amount = "500.00";
    PaymentRules rules;
    std::string compression = "lz4";
    runtime::ProcessingOptions processing;


    [[nodiscard]] PaymentServiceConfig service_config() const;
};

void add_options(CLI::App& app, Options& options);

}  // namespace streamstore::payment
