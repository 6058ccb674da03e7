#include "queue_waker.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <system_error>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace streamstore::messaging::detail {
namespace asio = boost::asio;

namespace {
const char kPayload = 1;  // the byte librdkafka writes to the pipe
}  // namespace

struct QueueWaker::State : std::enable_shared_from_this<State> {
    State(Strand s, rd_kafka_queue_t* q) : strand(s), queues{q}, reader(s), timer(s) {}

    Strand strand;
    std::vector<rd_kafka_queue_t*> queues;
    asio::posix::stream_descriptor reader;
    int write_fd = -1;
    asio::steady_timer timer;
    bool pending = false;   // a wake-up not yet consumed by async_wait
    bool watching = false;  // an async_wait on the pipe is outstanding
    bool closed = false;

    void wake() {
        pending = true;
        timer.cancel();
    }

    // Empties the pipe without blocking. Returns whether librdkafka had written to it. A read
    // shorter than the buffer took all there was, so it needs no second read to see EAGAIN.
    bool drain_pipe() {
        bool any = false;
        std::array<char, 256> sink;
        for (;;) {
            const ssize_t n = ::read(reader.native_handle(), sink.data(), sink.size());
            if (n <= 0) break;
            any = true;
            if (static_cast<std::size_t>(n) < sink.size()) break;
        }
        return any;
    }

    void watch() {
        if (watching || closed) return;
        watching = true;
        reader.async_wait(asio::posix::stream_descriptor::wait_read,
                          [self = shared_from_this()](const boost::system::error_code& ec) {
                              self->watching = false;
                              if (ec) return;
                              // Empty the pipe before the owner polls, so a write after that poll
                              // is seen by the next async_wait().
                              self->drain_pipe();
                              self->wake();
                          });
    }
};

QueueWaker::QueueWaker(Strand strand, rd_kafka_queue_t* queue) : state_(std::make_shared<State>(strand, queue)) {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2 for librdkafka queue events");
    }
    state_->reader.assign(fds[0]);
    state_->write_fd = fds[1];
    rd_kafka_queue_io_event_enable(queue, state_->write_fd, &kPayload, 1);
}

void QueueWaker::add_queue(rd_kafka_queue_t* queue) {
    state_->queues.push_back(queue);
    rd_kafka_queue_io_event_enable(queue, state_->write_fd, &kPayload, 1);
}

void QueueWaker::remove_queue(rd_kafka_queue_t* queue) {
    rd_kafka_queue_io_event_enable(queue, -1, nullptr, 0);
    std::erase(state_->queues, queue);
}

QueueWaker::~QueueWaker() {
    for (rd_kafka_queue_t* queue : state_->queues) rd_kafka_queue_io_event_enable(queue, -1, nullptr, 0);
    ::close(state_->write_fd);
    state_->write_fd = -1;
    // The reader closes with the State, once no pipe wait refers to it any more.
    state_->closed = true;
    boost::system::error_code ignored;
    state_->reader.cancel(ignored);
}

asio::awaitable<void> QueueWaker::async_wait(std::chrono::milliseconds timeout) {
    auto state = state_;
    if (state->closed) co_return;
    // librdkafka writes its byte once per queue between two polls, and Asio's reactor is
    // edge-triggered and never checks readiness before arming a wait: a byte that arrived while
    // the owner was busy (after the handler below had emptied the pipe) makes no new edge. So look
    // into the pipe first; a byte there means the owner has something to poll now.
    if (!state->pending && state->drain_pipe()) state->pending = true;
    state->watch();
    if (!state->pending) {
        state->timer.expires_after(timeout);
        (void)co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    state->pending = false;
}

void QueueWaker::wake() { state_->wake(); }

void QueueWaker::close() {
    state_->closed = true;
    boost::system::error_code ignored;
    state_->reader.cancel(ignored);
    state_->wake();
}

}  // namespace streamstore::messaging::detail
