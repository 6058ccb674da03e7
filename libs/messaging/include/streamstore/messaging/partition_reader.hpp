#pragma once
// Reads the tail of one partition, blocking: for loading state when partitions are assigned
// (ProcessorHooks::on_assigned runs on the processor's blocking thread, the place to call this).
// Never call it on an I/O thread.
//
// Reads with isolation.level=read_committed, so it stops at the last stable offset: records of
// transactions still open (e.g. a crashed instance's, before the broker aborts them) are not read.
// Thread safety: one thread at a time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "streamstore/messaging/config.hpp"
#include "streamstore/messaging/message.hpp"

struct rd_kafka_s;

namespace streamstore::messaging {

class PartitionReader {
public:
    /// A consumer without a group. Throws KafkaException on an invalid property.
    explicit PartitionReader(const ClientConfig& config);
    ~PartitionReader();
    PartitionReader(const PartitionReader&) = delete;
    PartitionReader& operator=(const PartitionReader&) = delete;

    /// Calls `on_record` for each of the last `max_records` committed records of
    /// `topic`[`partition`], oldest first, and returns how many there were. Throws KafkaException
    /// when the partition's offsets cannot be read or the end is not reached within `timeout`.
    std::size_t read_tail(const std::string& topic, std::int32_t partition, std::size_t max_records,
                          std::chrono::milliseconds timeout, const std::function<void(const Message&)>& on_record);

private:
    ::rd_kafka_s* rk_;
};

}  // namespace streamstore::messaging
