#pragma once
// Internal: wakes a strand when a librdkafka queue gets events.
//
// librdkafka writes a byte to a pipe whenever an event is enqueued on a previously empty queue
// (rd_kafka_queue_io_event_enable); a posix::stream_descriptor watches the pipe. The owner
// drains the queue with timeout-0 polls, then awaits async_wait() again. librdkafka writes once
// per queue between two polls (whatever is enqueued after a poll writes the pipe), and
// async_wait() reads the pipe before it waits, so a byte written while the owner was busy is not
// lost to the reactor's edge-triggered notification.
// Thread safety: every member except the constructor must be called on the strand.

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <librdkafka/rdkafka.h>

namespace streamstore::messaging::detail {

using Strand = boost::asio::strand<boost::asio::any_io_executor>;

class QueueWaker {
public:
    QueueWaker(Strand strand, rd_kafka_queue_t* queue);
    ~QueueWaker();
    QueueWaker(const QueueWaker&) = delete;
    QueueWaker& operator=(const QueueWaker&) = delete;

    /// Completes when the queue became non-empty, wake() was called (also before this call),
    /// or `timeout` passed. Never throws for those.
    boost::asio::awaitable<void> async_wait(std::chrono::milliseconds timeout);

    /// Also wakes on events of `queue` (e.g. a producer's main queue beside a consumer's queue),
    /// through the same pipe. `queue` must outlive this waker.
    void add_queue(rd_kafka_queue_t* queue);

    /// Stops waking on events of `queue` (added before with add_queue).
    void remove_queue(rd_kafka_queue_t* queue);

    /// Makes the current or next async_wait complete at once.
    void wake();

    /// Stops watching; pending and future waits complete at once.
    void close();

private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace streamstore::messaging::detail
