#include "client.hpp"

#include <mutex>
#include <vector>

#include <spdlog/spdlog.h>

#include "streamstore/messaging/error.hpp"
#include "streamstore/messaging/rdkafka_config.hpp"

namespace streamstore::messaging::detail {

namespace {
// librdkafka's syslog levels to spdlog's. Called from librdkafka's threads; spdlog is thread-safe.
void log_callback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
    spdlog::level::level_enum spd = spdlog::level::debug;
    if (level <= 2) spd = spdlog::level::critical;
    else if (level == 3) spd = spdlog::level::err;
    else if (level == 4) spd = spdlog::level::warn;
    else if (level <= 6) spd = spdlog::level::info;
    spdlog::log(spd, "librdkafka {} {}: {}", rd_kafka_name(rk), facility, message);
}
}  // namespace

void set_property(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
    char error[512];
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
        throw KafkaException("invalid librdkafka property '" + key + "': " + error +
                             " (set with -X " + key + "=... or the matching flag)");
    }
}

ConfPtr make_conf(const ClientConfig& config, std::initializer_list<Property> defaults) {
    return ConfPtr(new_rdkafka_conf(config, std::vector<Property>(defaults)));
}

rd_kafka_t* make_client(rd_kafka_type_t type, ConfPtr conf) {
    char error[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), error, sizeof error);
    if (rk == nullptr) throw KafkaException(std::string("cannot create Kafka client: ") + error);
    (void)conf.release();  // rd_kafka_new took it
    return rk;
}

void abandon(rd_kafka_t* rk, const char* why) {
    static std::mutex mutex;
    static std::vector<rd_kafka_t*> abandoned;  // reachable: not a leak to LeakSanitizer
    spdlog::warn("not destroying the Kafka client {}: {}", rd_kafka_name(rk), why);
    const std::lock_guard lock(mutex);
    abandoned.push_back(rk);
}

}  // namespace streamstore::messaging::detail

namespace streamstore::messaging {

rd_kafka_conf_t* new_rdkafka_conf(const ClientConfig& config, const std::vector<Property>& defaults,
                                  const std::vector<Property>& forced) {
    detail::ConfPtr conf(rd_kafka_conf_new());
    rd_kafka_conf_set_log_cb(conf.get(), &detail::log_callback);
    for (const auto& [key, value] : defaults) detail::set_property(conf.get(), key, value);
    detail::set_property(conf.get(), "bootstrap.servers", config.bootstrap_servers);
    detail::set_property(conf.get(), "client.id", config.client_id);
    for (const auto& [key, value] : config.properties) detail::set_property(conf.get(), key, value);
    for (const auto& [key, value] : forced) detail::set_property(conf.get(), key, value);
    return conf.release();
}

}  // namespace streamstore::messaging
