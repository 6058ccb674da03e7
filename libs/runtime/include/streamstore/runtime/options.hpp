#pragma once
// Command-line flags shared by every StreamStore service, on CLI11.
//
// Precedence: flag > environment variable > default. Every flag's environment variable is
// shown by --help (e.g. STREAMSTORE_BOOTSTRAP_SERVERS). Parsing errors print one line naming the
// flag and make parse() return a non-zero exit code.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "streamstore/messaging/config.hpp"
#include "streamstore/messaging/processor.hpp"

namespace streamstore::runtime {

/// Exit codes of every service.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;          ///< A runtime error (broker unreachable, fatal client error...).
inline constexpr int kExitUsage = 2;            ///< A bad flag or environment variable.
inline constexpr int kExitShutdownTimeout = 3;  ///< --shutdown-timeout passed before the service stopped.

/// What every binary of the project takes to reach Kafka and to log.
struct ConnectionOptions {
    std::string bootstrap_servers = "localhost:9092";  ///< librdkafka bootstrap.servers
    std::vector<std::string> kafka_properties;         ///< -X key=value, passed to librdkafka as is
    /// The key=value lines of the -F/--config-file files, in order; -X wins over them.
    std::vector<std::string> file_properties;
    std::string log_level = "info";
    std::string log_format = "text";                   ///< --log-format: text or json

    /// bootstrap.servers, `client_id`, then the -F properties, then the -X ones (so -X wins).
    /// Precondition: parsed (every property was checked to be key=value).
    [[nodiscard]] messaging::ClientConfig client_config(std::string client_id) const;
};

struct CommonOptions : ConnectionOptions {
    /// --http-address host:port of /metrics, /healthz and /readyz; each service sets its own
    /// default before add_common_options (9101, 9102, 9103); "off" serves nothing.
    std::string http_address = "0.0.0.0:9100";
    /// --probe URL: instead of running, GET the URL and exit 0 on a 2xx answer (HEALTHCHECK).
    std::string probe_url;
    /// --statistics-interval: librdkafka's statistics.interval.ms, the source of the consumer
    /// lag metric; 0 turns them off.
    std::chrono::milliseconds statistics_interval{5'000};
    std::chrono::milliseconds startup_timeout{30'000}; ///< bounded wait for the broker at start
    std::chrono::milliseconds shutdown_timeout{10'000};
    int partitions = 3;                                ///< for topics created at start-up
    int replication_factor = 1;                        ///< for topics created at start-up
    int io_threads = 1;                                ///< threads running the io_context
};

/// Adds -b/--bootstrap-server, -X (as in kcat, checked to be key=value), -F/--config-file (as in
/// kcat: a file of librdkafka key=value lines, `#` comments and blank lines ignored; repeatable),
/// --log-level and --log-format, with their STREAMSTORE_* environment variables: what every binary
/// of the project takes. A config file that cannot be read or has a line that is not key=value is
/// a usage error naming the file and line.
void add_connection_options(CLI::App& app, ConnectionOptions& options);

/// Reads a librdkafka-style properties file: one key=value per line, `#` comments and blank
/// lines skipped, whitespace around key and value trimmed. Throws std::runtime_error naming the
/// file and line of the first problem.
std::vector<std::string> read_properties_file(const std::string& path);

/// Adds add_connection_options' flags, --http-address, --probe, --statistics-interval,
/// --startup-timeout, --shutdown-timeout, --partitions, --replication-factor and --io-threads to
/// `app`. Every flag but --probe has a STREAMSTORE_* environment variable (a probe variable in a
/// container's environment would turn the service itself into a probe).
void add_common_options(CLI::App& app, CommonOptions& options);

/// The flags of a consume-transform-produce service (messaging::Processor).
struct ProcessingOptions {
    std::string guarantee = "exactly-once";           ///< --processing-guarantee
    std::chrono::milliseconds commit_interval{100};   ///< --commit-interval
    std::string transactional_id;                     ///< --transactional-id; empty: the default below

    /// Sets `config`'s guarantee, commit interval and transactional id (defaulted from `group_id`).
    void apply(messaging::ProcessorConfig& config, std::string_view group_id) const;
};

/// Adds --processing-guarantee, --commit-interval and --transactional-id; `outputs` names what
/// is committed in each transaction (e.g. "payments").
void add_processing_options(CLI::App& app, ProcessingOptions& options, const std::string& outputs);

/// Adds a duration option ("250ms", "2s", "0") that writes into `target`, with env var `env`.
CLI::Option* add_duration_option(CLI::App& app, const std::string& name, std::chrono::milliseconds& target,
                                 const std::string& description, const std::string& env);

/// The default transactional.id of a service instance: "<group id>-<host name>", stable across
/// restarts on one host (or one Kubernetes StatefulSet pod), distinct between hosts.
std::string default_transactional_id(std::string_view group_id);

/// The environment variable for a flag: STREAMSTORE_ + upper-cased name with '-' as '_'.
std::string env_name(std::string_view flag_name);

/// Parses the command line. Returns nullopt to go on, or the exit code to return now: 0 after
/// --help/--version, kExitUsage after an error (one line on stderr: "<app>: <flag>: <problem>").
std::optional<int> parse(CLI::App& app, int argc, char** argv);

}  // namespace streamstore::runtime
