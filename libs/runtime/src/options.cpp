#include "streamstore/runtime/options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "streamstore/runtime/duration.hpp"

namespace streamstore::runtime {

std::string env_name(std::string_view flag_name) {
    std::string env = "STREAMSTORE_";
    for (char c : flag_name) {
        env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return env;
}

CLI::Option* add_duration_option(CLI::App& app, const std::string& name, std::chrono::milliseconds& target,
                                 const std::string& description, const std::string& env) {
    auto* option = app.add_option_function<std::string>(
        name, [&target](const std::string& text) { target = *parse_duration(text); }, description);
    option->check(CLI::Validator(
        [](std::string& text) -> std::string {
            return parse_duration(text) ? "" : "'" + text + "' is not a duration (use e.g. 250ms, 2s, 1m; 0 for none)";
        },
        "DURATION"));
    option->default_str(format_duration(target));
    option->envname(env);
    return option;
}

void ProcessingOptions::apply(messaging::ProcessorConfig& config, std::string_view group_id) const {
    config.guarantee = *messaging::parse_processing_guarantee(guarantee);
    config.commit_interval = commit_interval;
    config.transactional_id = transactional_id.empty() ? default_transactional_id(group_id) : transactional_id;
}

void add_processing_options(CLI::App& app, ProcessingOptions& o, const std::string& outputs) {
    app.add_option("--processing-guarantee", o.guarantee,
                   "exactly-once (transactions) or at-least-once (Kafka Streams' processing.guarantee)")
        ->envname("STREAMSTORE_PROCESSING_GUARANTEE")
        ->check(CLI::IsMember({"exactly-once", "at-least-once"}))
        ->capture_default_str();
    add_duration_option(app, "--commit-interval", o.commit_interval,
                        "How often " + outputs + " and offsets are committed (a transaction per interval)",
                        "STREAMSTORE_COMMIT_INTERVAL")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                const auto d = parse_duration(text);
                return d && d->count() > 0 ? "" : "must be a positive duration like 100ms";
            },
            "DURATION"));
    app.add_option("--transactional-id", o.transactional_id,
                   "transactional.id: stable per instance, unique among live instances "
                   "(default: <group id>-<host name>)")
        ->envname("STREAMSTORE_TRANSACTIONAL_ID");
}

std::string default_transactional_id(std::string_view group_id) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return std::string(group_id) + "-localhost";
    return std::string(group_id) + "-" + host;
}

messaging::ClientConfig ConnectionOptions::client_config(std::string client_id) const {
    messaging::ClientConfig config;
    config.bootstrap_servers = bootstrap_servers;
    config.client_id = std::move(client_id);
    for (const auto& property : file_properties) config.properties.push_back(*messaging::parse_property(property));
    for (const auto& property : kafka_properties) config.properties.push_back(*messaging::parse_property(property));
    return config;
}

std::vector<std::string> read_properties_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    std::vector<std::string> properties;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        const auto last = line.find_last_not_of(" \t\r");
        const std::string text = line.substr(first, last - first + 1);
        const auto property = messaging::parse_property(text);
        if (!property) throw std::runtime_error(path + ":" + std::to_string(number) + ": not key=value");
        auto key = property->first;
        auto value = property->second;
        key.erase(key.find_last_not_of(" \t") + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        if (key.empty()) throw std::runtime_error(path + ":" + std::to_string(number) + ": empty key");
        properties.push_back(key + "=" + value);
    }
    if (in.bad()) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
    return properties;
}

void add_connection_options(CLI::App& app, ConnectionOptions& o) {
    app.add_option("-b,--bootstrap-server", o.bootstrap_servers,
                   "Kafka bootstrap servers, host:port[,host:port...] (librdkafka bootstrap.servers)")
        ->envname("STREAMSTORE_BOOTSTRAP_SERVERS")
        ->capture_default_str();
    app.add_option("-X", o.kafka_properties,
                   "A librdkafka property key=value, repeatable (as in kcat); from the environment, one "
                   "per line")
        ->envname("STREAMSTORE_KAFKA_PROPERTIES")
        ->delimiter('\n')
        ->type_name("KEY=VALUE")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                return messaging::parse_property(text) ? "" : "'" + text + "' is not key=value";
            },
            "KEY=VALUE"));
    app.add_option_function<std::vector<std::string>>(
           "-F,--config-file",
           [&o](const std::vector<std::string>& paths) {
               o.file_properties.clear();
               for (const auto& path : paths) {
                   auto properties = read_properties_file(path);  // checked below: cannot throw here
                   o.file_properties.insert(o.file_properties.end(), properties.begin(), properties.end());
               }
           },
           "A file of librdkafka properties, one key=value per line (as in kcat -F), e.g. security "
           "settings; repeatable; -X wins over it")
        ->envname("STREAMSTORE_CONFIG_FILE")
        ->type_name("FILE")
        ->check(CLI::Validator(
            [](std::string& path) -> std::string {
                try {
                    (void)read_properties_file(path);
                    return "";
                } catch (const std::exception& e) {
                    return e.what();
                }
            },
            "FILE"));
    app.add_option("--log-level", o.log_level, "Log level (logs go to stderr)")
        ->envname("STREAMSTORE_LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    app.add_option("--log-format", o.log_format,
                   "text, or json: one object per line with ts, level, service, msg and trace_id")
        ->envname("STREAMSTORE_LOG_FORMAT")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
}

void add_common_options(CLI::App& app, CommonOptions& o) {
    add_connection_options(app, o);
    app.add_option("--http-address", o.http_address,
                   "host:port serving /metrics, /healthz and /readyz over HTTP; port 0 picks a free one; "
                   "off serves nothing")
        ->envname("STREAMSTORE_HTTP_ADDRESS")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                if (text == "off") return "";
                const auto colon = text.rfind(':');
                const bool port_ok = colon != std::string::npos && colon + 1 < text.size() &&
                                     text.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
                                     text.size() - colon - 1 <= 5 && std::stoi(text.substr(colon + 1)) <= 65535;
                return port_ok ? "" : "'" + text + "' is not host:port (e.g. 0.0.0.0:9102) or off";
            },
            "HOST:PORT"))
        ->capture_default_str();
    app.add_option("--probe", o.probe_url,
                   "Do not run: GET this URL (e.g. http://127.0.0.1:9102/readyz) and exit 0 if it answers "
                   "2xx, 1 otherwise; for container health checks without curl")
        ->type_name("URL");
    add_duration_option(app, "--statistics-interval", o.statistics_interval,
                        "How often librdkafka's statistics (the consumer lag metric) are taken; 0 for never",
                        "STREAMSTORE_STATISTICS_INTERVAL");
    add_duration_option(app, "--startup-timeout", o.startup_timeout,
                        "How long to wait for the broker at start before giving up", "STREAMSTORE_STARTUP_TIMEOUT");
    add_duration_option(app, "--shutdown-timeout", o.shutdown_timeout,
                        "How long a graceful stop (SIGINT/SIGTERM) may take before the process gives up",
                        "STREAMSTORE_SHUTDOWN_TIMEOUT");
    app.add_option("--partitions", o.partitions, "Partitions of topics this service creates when missing")
        ->envname("STREAMSTORE_PARTITIONS")
        ->check(CLI::Range(1, 10'000))
        ->capture_default_str();
    app.add_option("--replication-factor", o.replication_factor,
                   "Replication factor of topics this service creates when missing")
        ->envname("STREAMSTORE_REPLICATION_FACTOR")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    app.add_option("--io-threads", o.io_threads, "Threads running the event loop")
        ->envname("STREAMSTORE_IO_THREADS")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
}

std::optional<int> parse(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string message = e.what();
        std::replace(message.begin(), message.end(), '\n', ' ');
        std::cerr << app.get_name() << ": " << message << " (see --help)\n";
        return kExitUsage;
    }
}

}  // namespace streamstore::runtime
