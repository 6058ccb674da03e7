// messaging::Processor against librdkafka's mock cluster with injected faults.
//
// Layout of every test: input topic led by broker 1, output topic led by broker 2, group and
// transaction coordinator on broker 3, so a fault aimed at one broker hits one role only (and
// the test's own reader of the outputs, which fetches from broker 2, never meets a fault aimed at
// the processor's fetches from broker 1). 200 inputs are in the input topic before the processor
// starts; the transform copies each to the output topic.
//
// What each class of error must lead to:
// - retriable: async_run goes on; every input's copy reaches the output topic (0 lost) and the
//   injected errors were all met (the fault did happen).
// - fatal (fenced, not authorised): async_run ends by itself with a KafkaException, so the
//   service exits non-zero.
// The mock fakes transactions (aborted outputs stay visible): duplicates are allowed, never
// asserted against.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "mock_cluster.hpp"
#include "streamstore/messaging/error.hpp"
#include "streamstore/messaging/processor.hpp"

namespace messaging = streamstore::messaging;
using namespace std::chrono_literals;
using messaging::ProcessingGuarantee;
using streamstore::testing::mock::Api;
using streamstore::testing::mock::describe;
using streamstore::testing::mock::input_values;
using streamstore::testing::mock::MockCluster;
using streamstore::testing::mock::ProcessorRun;
using streamstore::testing::mock::TopicReader;
using streamstore::testing::mock::wait_until;

namespace {

constexpr int kInputs = 200;
constexpr int kPartitions = 3;
constexpr std::int32_t kInputLeader = 1;
constexpr std::int32_t kOutputLeader = 2;
constexpr std::int32_t kCoordinator = 3;
constexpr std::int32_t kAllBrokers = -1;
const std::string kInput = "orders";
const std::string kOutput = "payments";
const std::string kGroup = "payment-service";
const std::string kTransactionalId = "payment-service-0";

// Joining a group on the mock takes 3 s (its group.initial.rebalance.delay.ms), then the work.
constexpr auto kOutputsTimeout = 9s;
// How long a broker outage lasts: a dozen commit intervals, fetches and heartbeats, well below
// session.timeout.ms (a longer one would test rebalances, not outages).
constexpr auto kOutage = 600ms;

void copy_to_output(const messaging::Message& record, messaging::Outputs& out) {
    out.send(kOutput, record.key(), record.value());
}

std::string name_of(ProcessingGuarantee guarantee) {
    return guarantee == ProcessingGuarantee::exactly_once ? "ExactlyOnce" : "AtLeastOnce";
}

class ProcessorFaults : public ::testing::Test {
protected:
    void SetUp() override {
        spdlog::set_level(std::getenv("STREAMSTORE_MOCK_KAFKA_DEBUG") ? spdlog::level::debug : spdlog::level::warn);
        cluster_.create_topic(kInput, kPartitions, kInputLeader);
        cluster_.create_topic(kOutput, kPartitions, kOutputLeader);
        cluster_.set_coordinator("group", kGroup, kCoordinator);
        cluster_.set_coordinator("transaction", kTransactionalId, kCoordinator);
        ASSERT_EQ(streamstore::testing::mock::produce_inputs(cluster_, kInput, kInputs), 0u);
    }

    [[nodiscard]] messaging::ProcessorConfig config(ProcessingGuarantee guarantee) const {
        messaging::ProcessorConfig config;
        config.client = cluster_.client_config("mock-fault-processor");
        // Consumer properties (log_level 3 keeps each client from warning about the other's):
        // fetches return at once when there is nothing new and are retried soon after an error
        // (the defaults, 500 ms each, only slow the tests down); a shorter session bounds how long
        // the mock's coordinator waits for a member that rejoins (session.timeout.ms - 1 s)
        // should a rebalance happen.
        config.client.properties.emplace_back("fetch.wait.max.ms", "20");
        config.client.properties.emplace_back("fetch.error.backoff.ms", "50");
        config.client.properties.emplace_back("retry.backoff.ms", "20");  // a producer property in 2.0.2
        config.client.properties.emplace_back("session.timeout.ms", "6000");
        config.client.properties.emplace_back("heartbeat.interval.ms", "1000");
        config.client.properties.emplace_back("log_level", "3");
        if (const char* debug = std::getenv("STREAMSTORE_MOCK_KAFKA_DEBUG")) {  // e.g. cgrp,eos,msg
            config.client.properties.emplace_back("debug", debug);
            config.client.properties.emplace_back("log_level", "7");
        }
        config.group_id = kGroup;
        config.input_topics = {kInput};
        config.output_topics = {kOutput};
        config.guarantee = guarantee;
        config.transactional_id = kTransactionalId;
        config.commit_interval = 50ms;
        config.transaction_call_timeout = 5s;
        config.backoff = {.initial = 20ms, .max = 200ms};
        return config;
    }

    // Starts `run`, then expect_all_outputs_then_stop().
    void expect_nothing_lost(ProcessorRun& run, ProcessingGuarantee guarantee) {
        run.start();
        expect_all_outputs_then_stop(run, guarantee);
    }

    // Reads the output topic until every input's copy arrived and waits until the processor
    // committed all its work (the mock shows outputs before their transaction commits; waiting
    // for the commit too means the faults are met while processing, not only by stop()), then
    // stops it and expects a clean end with nothing lost. At-least-once: also expects the group's
    // committed offsets to cover every input, so that a restart would not process them again
    // (the mock does not record transactional offset commits, so exactly-once cannot be checked
    // that way).
    void expect_all_outputs_then_stop(ProcessorRun& run, ProcessingGuarantee guarantee) {
        TopicReader reader(cluster_.bootstrap_servers(), kOutput, kPartitions);
        const auto expected = input_values(kInputs);
        const bool all = reader.read_until_all(expected, kOutputsTimeout);
        const bool committed = wait_until([&] { return all_committed(run) || run.wait_finished(0ms); }, 5s) &&
                               all_committed(run);
        run.stop_and_wait();
        EXPECT_FALSE(run.error()) << describe(run.error());
        EXPECT_TRUE(all) << reader.missing(expected).size() << " of " << kInputs << " inputs have no output";
        EXPECT_TRUE(committed) << "the work was not committed while running: " << run.processor().pending_work();
        if (guarantee == ProcessingGuarantee::at_least_once) {
            EXPECT_EQ(streamstore::testing::mock::committed_total(cluster_.bootstrap_servers(), kGroup, kInput,
                                                                  kPartitions),
                      kInputs)
                << "offsets committed by the group at the end (the processor counted "
                << run.processor().stats().commits << " commit(s))";
        }
    }

    static bool all_committed(ProcessorRun& run) {
        const auto stats = run.processor().stats();
        return stats.consumed >= static_cast<std::uint64_t>(kInputs) && stats.uncommitted == 0 && stats.commits > 0;
    }

    // Starts `run` and expects async_run to end by itself with a KafkaException.
    void expect_fatal(ProcessorRun& run) {
        run.start();
        ASSERT_TRUE(run.wait_finished(kOutputsTimeout)) << "async_run went on after a fatal error";
        const std::exception_ptr error = run.error();
        ASSERT_TRUE(error) << "async_run ended without an exception";
        try {
            std::rethrow_exception(error);
        } catch (const messaging::KafkaException& e) {
            SUCCEED() << e.what();
        } catch (...) {
            ADD_FAILURE() << "expected a KafkaException, got " << describe(error);
        }
    }

    MockCluster cluster_{3};
};

// ---- errors injected into one API ----------------------------------------------------------------

struct RequestFault {
    ProcessingGuarantee guarantee;
    Api api;
    std::int32_t broker;
    rd_kafka_resp_err_t error;
    int count;  // consecutive requests answered with `error`
};

void PrintTo(const RequestFault& f, std::ostream* os) {
    *os << f.count << " x " << rd_kafka_err2name(f.error) << " on " << streamstore::testing::mock::to_string(f.api)
        << " (broker " << f.broker << ", " << name_of(f.guarantee) << ")";
}

std::string fault_name(const ::testing::TestParamInfo<RequestFault>& info) {
    const RequestFault& f = info.param;
    std::string name = std::string(streamstore::testing::mock::to_string(f.api)) + "_" + rd_kafka_err2name(f.error) +
                       "_" + name_of(f.guarantee);
    std::erase(name, '-');
    return name;
}

class RetriableRequestError : public ProcessorFaults, public ::testing::WithParamInterface<RequestFault> {};

// Retried by librdkafka or by the processor (a commit that failed retriably is committed again;
// an abortable one is aborted and redone from the committed offsets): 0 lost, no exception.
TEST_P(RetriableRequestError, IsSurvivedWithNothingLost) {
    const RequestFault fault = GetParam();
    cluster_.push_errors(fault.broker, fault.api, std::vector<rd_kafka_resp_err_t>(fault.count, fault.error));
    ProcessorRun run(config(fault.guarantee), copy_to_output);
    expect_nothing_lost(run, fault.guarantee);
    EXPECT_EQ(cluster_.pending_errors(fault.broker, fault.api), 0u) << "the injected errors were not all met";
}

INSTANTIATE_TEST_SUITE_P(
    Transactions, RetriableRequestError,
    ::testing::Values(
        RequestFault{ProcessingGuarantee::exactly_once, Api::init_producer_id, kCoordinator,
                     RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, 2},
        RequestFault{ProcessingGuarantee::exactly_once, Api::add_partitions_to_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, 2},
        RequestFault{ProcessingGuarantee::exactly_once, Api::add_partitions_to_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS, 2},
        RequestFault{ProcessingGuarantee::exactly_once, Api::add_offsets_to_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_NOT_COORDINATOR, 2},
        RequestFault{ProcessingGuarantee::exactly_once, Api::txn_offset_commit, kCoordinator,
                     RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, 2},
        RequestFault{ProcessingGuarantee::exactly_once, Api::end_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, 2},
        RequestFault{ProcessingGuarantee::exactly_once, Api::end_txn, kCoordinator, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                     2},
        RequestFault{ProcessingGuarantee::exactly_once, Api::end_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS, 2},
        RequestFault{ProcessingGuarantee::exactly_once, Api::end_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, 2}),
    fault_name);

INSTANTIATE_TEST_SUITE_P(
    OffsetCommit, RetriableRequestError,
    ::testing::Values(RequestFault{ProcessingGuarantee::at_least_once, Api::offset_commit, kCoordinator,
                                   RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, 2},
                      RequestFault{ProcessingGuarantee::at_least_once, Api::offset_commit, kCoordinator,
                                   RD_KAFKA_RESP_ERR_NOT_COORDINATOR, 2},
                      RequestFault{ProcessingGuarantee::at_least_once, Api::offset_commit, kCoordinator,
                                   RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, 1}),
    fault_name);

INSTANTIATE_TEST_SUITE_P(
    Produce, RetriableRequestError,
    ::testing::Values(RequestFault{ProcessingGuarantee::exactly_once, Api::produce, kOutputLeader,
                                   RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 3},
                      RequestFault{ProcessingGuarantee::at_least_once, Api::produce, kOutputLeader,
                                   RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 3}),
    fault_name);

INSTANTIATE_TEST_SUITE_P(
    Fetch, RetriableRequestError,
    ::testing::Values(RequestFault{ProcessingGuarantee::exactly_once, Api::fetch, kInputLeader,
                                   RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 3},
                      RequestFault{ProcessingGuarantee::at_least_once, Api::fetch, kInputLeader,
                                   RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, 3}),
    fault_name);

class FatalRequestError : public ProcessorFaults, public ::testing::WithParamInterface<RequestFault> {};

// Fenced (another instance owns the transactional id), not authorised, or out of sequence: nothing
// can be committed any more, so async_run must end with a KafkaException rather than go on.
TEST_P(FatalRequestError, EndsRunWithKafkaException) {
    const RequestFault fault = GetParam();
    cluster_.push_errors(fault.broker, fault.api, std::vector<rd_kafka_resp_err_t>(fault.count, fault.error));
    ProcessorRun run(config(fault.guarantee), copy_to_output);
    expect_fatal(run);
    EXPECT_EQ(cluster_.pending_errors(fault.broker, fault.api), 0u) << "the injected error was not met";
}

INSTANTIATE_TEST_SUITE_P(
    Transactions, FatalRequestError,
    ::testing::Values(
        RequestFault{ProcessingGuarantee::exactly_once, Api::init_producer_id, kCoordinator,
                     RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 1},
        RequestFault{ProcessingGuarantee::exactly_once, Api::add_partitions_to_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_PRODUCER_FENCED, 1},
        RequestFault{ProcessingGuarantee::exactly_once, Api::add_partitions_to_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 1},
        RequestFault{ProcessingGuarantee::exactly_once, Api::add_offsets_to_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, 1},
        RequestFault{ProcessingGuarantee::exactly_once, Api::end_txn, kCoordinator, RD_KAFKA_RESP_ERR_PRODUCER_FENCED,
                     1},
        RequestFault{ProcessingGuarantee::exactly_once, Api::end_txn, kCoordinator,
                     RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, 1}),
    fault_name);

// OUT_OF_ORDER_SEQUENCE_NUMBER on a partition's first in-flight Produce request: the broker and
// the producer disagree on the sequence, which librdkafka 2.0.2 makes a fatal error for idempotent
// and transactional producers alike (it cannot keep order without duplicates any more).
INSTANTIATE_TEST_SUITE_P(
    Produce, FatalRequestError,
    ::testing::Values(RequestFault{ProcessingGuarantee::exactly_once, Api::produce, kOutputLeader,
                                   RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 1},
                      RequestFault{ProcessingGuarantee::at_least_once, Api::produce, kOutputLeader,
                                   RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, 1}),
    fault_name);

// A fenced producer's TxnOffsetCommit is answered PRODUCER_FENCED per partition, which librdkafka
// 2.0.2 reports as an abortable error; the processor aborts, and the broker answers that abort's
// EndTxn with PRODUCER_FENCED too (the mock does not fence by itself, so both are injected): now
// fatal, and async_run ends with a KafkaException.
TEST_F(ProcessorFaults, FencedOnTxnOffsetCommitEndsRunWhenTheAbortIsFencedToo) {
    cluster_.push_errors(kCoordinator, Api::txn_offset_commit, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED});
    cluster_.push_errors(kCoordinator, Api::end_txn, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED});
    ProcessorRun run(config(ProcessingGuarantee::exactly_once), copy_to_output);
    expect_fatal(run);
    EXPECT_EQ(cluster_.pending_errors(kCoordinator, Api::txn_offset_commit), 0u);
    EXPECT_EQ(cluster_.pending_errors(kCoordinator, Api::end_txn), 0u);
    EXPECT_GE(run.processor().stats().aborts, 1u) << "the fence on TxnOffsetCommit did not lead to an abort";
}

// ---- outages and latency -------------------------------------------------------------------------

// The guarantee under test, printable by GoogleTest.
struct Guarantee {
    ProcessingGuarantee value;
};

void PrintTo(const Guarantee& g, std::ostream* os) { *os << name_of(g.value); }

class ProcessorOutage : public ProcessorFaults, public ::testing::WithParamInterface<Guarantee> {};

// Every broker goes down when half the inputs were transformed and stays down for kOutage (the
// outputs wait in the producer's queue, the commit waits for them, fetches and heartbeats fail);
// nothing is committed meanwhile, and once the brokers are back everything is delivered and
// committed.
TEST_P(ProcessorOutage, AllBrokersDownThenUpMidProcessing) {
    std::atomic<bool> down{false};
    int transformed = 0;  // the processor's strand only
    auto transform = [&](const messaging::Message& record, messaging::Outputs& out) {
        copy_to_output(record, out);
        if (++transformed == kInputs / 2 && !down.exchange(true)) cluster_.set_down(kAllBrokers);
    };
    ProcessorRun run(config(GetParam().value), transform);
    run.start();
    ASSERT_TRUE(wait_until([&] { return down.load(); }, kOutputsTimeout)) << "the processor never got half-way";
    const auto commits_before = run.processor().stats().commits;  // none can complete from here on
    std::this_thread::sleep_for(kOutage);  // the fault's length, not a wait for the processor
    EXPECT_EQ(run.processor().stats().commits, commits_before) << "committed while every broker was down";
    cluster_.set_up(kAllBrokers);

    expect_all_outputs_then_stop(run, GetParam().value);
}

// The output topic's leader goes down mid-processing for longer than the delivery timeout: the
// outputs fail with _MSG_TIMED_OUT, the processor aborts (exactly-once) or drops (at-least-once)
// the unit of work and rewinds; it keeps retrying until the leader is back, then nothing is lost.
TEST_P(ProcessorOutage, DeliveryTimeoutWhileOutputLeaderDownRewindsAndRetries) {
    std::atomic<bool> down{false};
    int transformed = 0;
    auto transform = [&](const messaging::Message& record, messaging::Outputs& out) {
        copy_to_output(record, out);
        if (++transformed == kInputs / 2 && !down.exchange(true)) cluster_.set_down(kOutputLeader);
    };
    auto cfg = config(GetParam().value);
    cfg.delivery_timeout = 500ms;
    cfg.max_recoveries = 50;
    ProcessorRun run(cfg, transform);
    run.start();
    ASSERT_TRUE(wait_until([&] { return down.load(); }, kOutputsTimeout)) << "the processor never got half-way";
    // The leader stays down until the processor has seen a delivery fail and rewound.
    EXPECT_TRUE(wait_until([&] { return run.processor().stats().aborts > 0 || run.wait_finished(0ms); }, 5s))
        << "no rewind after the delivery timeout";
    cluster_.set_up(kOutputLeader);

    expect_all_outputs_then_stop(run, GetParam().value);
}

// The coordinator (group and transactions) goes down when half the inputs were transformed and
// stays down for kOutage: commits wait or are retried (exactly-once: none completes meanwhile),
// heartbeats fail but the member stays in the group; nothing is lost and everything is committed
// once it is back.
TEST_P(ProcessorOutage, CoordinatorDownThenUpMidProcessing) {
    std::atomic<bool> down{false};
    int transformed = 0;
    auto transform = [&](const messaging::Message& record, messaging::Outputs& out) {
        copy_to_output(record, out);
        if (++transformed == kInputs / 2 && !down.exchange(true)) cluster_.set_down(kCoordinator);
    };
    ProcessorRun run(config(GetParam().value), transform);
    run.start();
    ASSERT_TRUE(wait_until([&] { return down.load(); }, kOutputsTimeout)) << "the processor never got half-way";
    const auto commits_before = run.processor().stats().commits;
    std::this_thread::sleep_for(kOutage);  // the fault's length, not a wait for the processor
    if (GetParam().value == ProcessingGuarantee::exactly_once) {
        EXPECT_EQ(run.processor().stats().commits, commits_before) << "a transaction committed without its coordinator";
    }
    cluster_.set_up(kCoordinator);

    expect_all_outputs_then_stop(run, GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(Guarantees, ProcessorOutage,
                         ::testing::Values(Guarantee{ProcessingGuarantee::exactly_once},
                                           Guarantee{ProcessingGuarantee::at_least_once}),
                         [](const ::testing::TestParamInfo<Guarantee>& param_info) {
                             return name_of(param_info.param.value);
                         });

// 50 ms on every response of every broker (the exactly-once processor makes the most round trips
// per commit): slower, nothing lost.
TEST_F(ProcessorFaults, HighLatencyOnEveryBroker) {
    cluster_.set_rtt(kAllBrokers, 50ms);
    ProcessorRun run(config(ProcessingGuarantee::exactly_once), copy_to_output);
    expect_nothing_lost(run, ProcessingGuarantee::exactly_once);
}

// EndTxn answers slower than transaction_call_timeout: commit_transaction times out (retriable),
// the processor commits again rather than aborting (KAFKA-17754), nothing is lost.
TEST_F(ProcessorFaults, CommitSlowerThanCallTimeoutIsRetried) {
    cluster_.push_errors(kCoordinator, Api::end_txn, {RD_KAFKA_RESP_ERR_NO_ERROR}, 1000ms);
    auto cfg = config(ProcessingGuarantee::exactly_once);
    cfg.transaction_call_timeout = 500ms;
    ProcessorRun run(cfg, copy_to_output);
    expect_nothing_lost(run, ProcessingGuarantee::exactly_once);
    EXPECT_EQ(cluster_.pending_errors(kCoordinator, Api::end_txn), 0u);
}

// At least once, the loop does not stop for an offset commit. Every response of the group
// coordinator is delayed by 300 ms, so each commit of a closed unit is in flight for at least that
// long; inputs produced meanwhile must be transformed before it completes (a loop that waited for
// the commit would transform none). Every on_commit follows its on_close, and at the end the group
// has committed every input.
TEST_F(ProcessorFaults, AtLeastOnceKeepsProcessingWhileAnOffsetCommitIsInFlight) {
    std::atomic<int> closes{0};
    std::atomic<int> commits{0};
    std::atomic<int> commits_before_close{0};
    std::atomic<int> transformed_during_commit{0};
    messaging::ProcessorHooks hooks;
    hooks.on_close = [&] { ++closes; };
    hooks.on_commit = [&] {
        if (++commits > closes.load()) ++commits_before_close;
    };
    auto transform = [&](const messaging::Message& record, messaging::Outputs& out) {
        if (closes.load() > commits.load()) ++transformed_during_commit;
        copy_to_output(record, out);
    };
    cluster_.set_rtt(kCoordinator, 300ms);
    ProcessorRun run(config(ProcessingGuarantee::at_least_once), transform, hooks);
    run.start();
    int produced = kInputs;  // SetUp's
    for (int round = 0; round < 10 && transformed_during_commit.load() == 0; ++round) {
        ASSERT_TRUE(wait_until([&] { return closes.load() > commits.load() || run.wait_finished(0ms); }, 15s))
            << "no unit was closed";
        ASSERT_FALSE(run.wait_finished(0ms)) << describe(run.error());
        ASSERT_EQ(streamstore::testing::mock::produce_inputs(cluster_, kInput, kInputs), 0u);
        produced += kInputs;
    }
    const bool all_committed = wait_until(
        [&] {
            return streamstore::testing::mock::committed_total(cluster_.bootstrap_servers(), kGroup, kInput,
                                                               kPartitions) == produced;
        },
        15s);
    run.stop_and_wait();
    EXPECT_FALSE(run.error()) << describe(run.error());
    EXPECT_GT(transformed_during_commit.load(), 0) << "no record was transformed while an offset commit was in flight";
    EXPECT_TRUE(all_committed) << "the group did not commit all " << produced << " inputs";
    EXPECT_EQ(commits_before_close.load(), 0);
    EXPECT_EQ(commits.load(), closes.load()) << "every closed unit is committed by the time the processor stops";
}

// A stop that comes while the processor is (re)joining its group before its first assignment,
// as when a service gets SIGTERM during a rebalance: async_run ends cleanly and the processor is
// destroyed without taking the process down. Run in a child process (a death test): librdkafka
// before 2.3.0 asserts in rd_kafka_sticky_assignor_state_destroy when a cooperative-sticky
// consumer is destroyed before its first assignment (librdkafka issue 4312, fixed by PR 4381),
// which would abort this whole test program.
TEST_F(ProcessorFaults, StopWhileJoiningBeforeFirstAssignmentExitsCleanly) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    auto scenario = [&] {
        // The SyncGroup after the first JoinGroup fails: the member rejoins, and the mock's
        // coordinator holds that rejoin for session.timeout.ms - 1 s, so the stop comes mid-join.
        cluster_.push_errors(kCoordinator, Api::sync_group, {RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS});
        {
            ProcessorRun run(config(ProcessingGuarantee::exactly_once), copy_to_output);
            run.start();
            if (!wait_until([&] { return cluster_.pending_errors(kCoordinator, Api::sync_group) == 0; }, 8s)) {
                std::_Exit(2);  // the fault was not met
            }
            if (run.processor().stats().assigned_partitions != 0) std::_Exit(3);  // assigned after all
            run.stop_and_wait();
            if (run.error()) std::_Exit(4);
        }  // the processor and its clients are destroyed here
        std::_Exit(0);
    };
    EXPECT_EXIT(scenario(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
