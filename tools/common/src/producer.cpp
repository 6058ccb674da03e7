// send_all: a batch through one idempotent producer, waiting for every delivery report.
#include <spdlog/spdlog.h>

#include "handles.hpp"
#include "streamstore/tools/kafka.hpp"

namespace streamstore::tools {

namespace {
// Per-record state, travelling as the message's opaque pointer.
struct Slot {
    DeliveryOutcome outcome;
    bool reported = false;
};

void on_delivery_report(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* /*opaque*/) {
    auto* slot = static_cast<Slot*>(m->_private);
    slot->reported = true;
    slot->outcome.delivered = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (slot->outcome.delivered) slot->outcome.position = {m->partition, m->offset};
    else slot->outcome.error = rd_kafka_err2str(m->err);
}

// Enqueues one record; returns librdkafka's error, or nullptr once it took the record.
rd_kafka_error_t* enqueue(rd_kafka_t* rk, const OutgoingRecord& record, Slot& slot) {
    std::vector<rd_kafka_vu_t> vus(5 + record.headers.size());
    vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[0].u.cstr = record.topic.c_str();
    vus[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[1].u.i = RD_KAFKA_MSG_F_COPY;
    vus[2].vtype = RD_KAFKA_VTYPE_KEY;  // librdkafka only reads key and value (F_COPY)
    vus[2].u.mem.ptr = record.key ? const_cast<char*>(record.key->data()) : nullptr;
    vus[2].u.mem.size = record.key ? record.key->size() : 0;
    vus[3].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[3].u.mem.ptr = const_cast<char*>(record.value.data());
    vus[3].u.mem.size = record.value.size();
    vus[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vus[4].u.ptr = &slot;
    for (std::size_t i = 0; i < record.headers.size(); ++i) {
        rd_kafka_vu_t& vu = vus[5 + i];
        vu.vtype = RD_KAFKA_VTYPE_HEADER;
        vu.u.header.name = record.headers[i].first.c_str();
        vu.u.header.val = record.headers[i].second.data();
        vu.u.header.size = static_cast<ssize_t>(record.headers[i].second.size());
    }
    return rd_kafka_produceva(rk, vus.data(), vus.size());
}
}  // namespace

std::vector<DeliveryOutcome> send_all(const messaging::ClientConfig& client, std::span<const OutgoingRecord> records,
                                      const Deadline& deadline) {
    std::vector<Slot> slots(records.size());  // sized once: the opaque pointers stay valid
    if (records.empty()) return {};

    detail::ConfPtr conf = detail::make_conf(client, {{"enable.idempotence", "true"}, {"acks", "all"}}, {});
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery_report);
    const detail::ClientPtr rk(detail::make_client(RD_KAFKA_PRODUCER, std::move(conf)));

    for (std::size_t i = 0; i < records.size(); ++i) {
        for (;;) {
            std::unique_ptr<rd_kafka_error_t, decltype(&rd_kafka_error_destroy)> error(
                enqueue(rk.get(), records[i], slots[i]), &rd_kafka_error_destroy);
            if (!error) break;
            if (rd_kafka_error_code(error.get()) == RD_KAFKA_RESP_ERR__QUEUE_FULL && !deadline.passed()) {
                // Serving delivery reports makes room; this waits for them, it does not sleep.
                rd_kafka_poll(rk.get(), 100);
                continue;
            }
            slots[i].reported = true;
            slots[i].outcome.error = rd_kafka_error_string(error.get());
            break;
        }
        rd_kafka_poll(rk.get(), 0);
    }

    // Blocks until every delivery report was served or the deadline passed.
    if (rd_kafka_flush(rk.get(), detail::to_timeout_ms(deadline.remaining())) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::warn("{} record(s) still without a delivery report at the deadline: purging them",
                     rd_kafka_outq_len(rk.get()));
        rd_kafka_purge(rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(rk.get(), 5'000);  // serves the purged records' reports (ERR__PURGE_*)
    }
    char reason[512];
    const bool fatal = rd_kafka_fatal_error(rk.get(), reason, sizeof reason) != RD_KAFKA_RESP_ERR_NO_ERROR;

    std::vector<DeliveryOutcome> outcomes;
    outcomes.reserve(slots.size());
    for (Slot& slot : slots) {
        if (!slot.reported) slot.outcome.error = "no delivery report before the deadline (--timeout)";
        if (!slot.outcome.delivered && fatal) slot.outcome.error += std::string(" (fatal producer error: ") + reason + ")";
        outcomes.push_back(std::move(slot.outcome));
    }
    return outcomes;
}

}  // namespace streamstore::tools
