#include "streamstore/messaging/error.hpp"

#include <librdkafka/rdkafka.h>

namespace streamstore::messaging {

namespace {
class KafkaCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "kafka"; }
    std::string message(int value) const override {
        return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(value));
    }
};
}  // namespace

const std::error_category& kafka_category() noexcept {
    static const KafkaCategory category;
    return category;
}

std::error_code make_kafka_error(int rd_kafka_resp_err) noexcept { return {rd_kafka_resp_err, kafka_category()}; }

bool is_retriable(std::error_code error) noexcept {
    if (error.category() != kafka_category()) return false;
    switch (static_cast<rd_kafka_resp_err_t>(error.value())) {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TRANSPORT:
        case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
        case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
        case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
        case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
        case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
        case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
            return true;
        default:
            return false;
    }
}

bool is_queue_full(std::error_code error) noexcept {
    return error == make_kafka_error(RD_KAFKA_RESP_ERR__QUEUE_FULL);
}

std::string error_name(std::error_code error) {
    if (error.category() != kafka_category()) return error.message();
    return rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(error.value()));
}

}  // namespace streamstore::messaging
