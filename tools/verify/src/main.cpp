// streamstore-verify: reads the pipeline's topics end to end and checks that every order was
// paid and notified exactly once (or at least once) and every bad order was dead-lettered.
#include <CLI/CLI.hpp>

#include "streamstore/runtime/options.hpp"
#include "verify_command.hpp"

int main(int argc, char** argv) {
    using namespace streamstore;
    CLI::App app{"Checks the StreamStore pipeline's topics for lost, duplicate and aborted payments and "
                 "notifications, and for dead letters. Exit 0 pass, 1 fail or error, 2 bad flag.",
                 "streamstore-verify"};
    verify::Options options;
    verify::add_options(app, options);
    if (auto exit_code = runtime::parse(app, argc, argv)) return *exit_code;
    return tools::run_tool("streamstore-verify", options.common, [&] { return verify::run(options); });
}
