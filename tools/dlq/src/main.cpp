// streamstore-dlq: lists a dead letter topic, and replays dead letters to their original topic.
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "streamstore/runtime/options.hpp"

int main(int argc, char** argv) {
    using namespace streamstore;
    CLI::App app{"Lists and replays StreamStore dead letters. Exit 0 ok, 1 a replay failed or Kafka could not be "
                 "read, 2 bad flag.",
                 "streamstore-dlq"};
    dlq::Options options;
    const dlq::Commands commands = dlq::add_options(app, options);
    if (auto exit_code = runtime::parse(app, argc, argv)) return *exit_code;
    return tools::run_tool("streamstore-dlq", options.common, [&] {
        return commands.list->parsed() ? dlq::run_list(options) : dlq::run_replay(options);
    });
}
