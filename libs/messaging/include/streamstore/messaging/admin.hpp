#pragma once
// Topic administration through librdkafka's Admin API, bridged onto Asio.
// Thread safety: one operation at a time per Admin.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "streamstore/messaging/config.hpp"

namespace streamstore::messaging {

struct TopicSpec {
    std::string name;
    int partitions = 3;
    int replication_factor = 1;
};

class Admin {
public:
    /// Throws KafkaException on an invalid property (naming it).
    Admin(boost::asio::any_io_executor executor, const ClientConfig& config);
    ~Admin();
    Admin(const Admin&) = delete;
    Admin& operator=(const Admin&) = delete;

    /// Creates each topic that does not exist yet (CreateTopics) and completes once the broker
    /// serves every topic in its metadata, so a consumer subscribing next sees them all, and the
    /// leader of every partition answers ListOffsets, so a producer's first batch is not refused
    /// (see admin.cpp). Existing topics are left as they are, but waited for the same way.
    /// Doubles as the start-up check that the broker is reachable: throws KafkaException naming
    /// the bootstrap servers when no broker answered within `timeout`, naming the topic when the
    /// broker refused to create it, or naming the partition that still had no leader at `timeout`.
    /// The blocking librdkafka calls of the leader check run on a thread of the Admin's own.
    boost::asio::awaitable<void> async_create_topics(const std::vector<TopicSpec>& topics,
                                                     std::chrono::milliseconds timeout);

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

/// Admin::async_create_topics through an Admin of its own that lives only for this call, so its
/// librdkafka client and threads are gone once the topics are ready: what a service does once at
/// start. Takes its arguments by value (they outlive any caller's temporaries); same waits and
/// errors as Admin::async_create_topics.
boost::asio::awaitable<void> async_create_topics(boost::asio::any_io_executor executor, ClientConfig config,
                                                 std::vector<TopicSpec> topics, std::chrono::milliseconds timeout);

}  // namespace streamstore::messaging
