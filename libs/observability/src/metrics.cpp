#include "streamstore/observability/metrics.hpp"

#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

#include "streamstore/observability/librdkafka_stats.hpp"

namespace streamstore::observability {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

/// The counters of one family, one per value of its single label, created on first use. Lookups
/// share a reader lock and do not allocate; only a new label value takes the writer lock. Counters
/// are never removed, so the cached pointers stay valid (the family owns them).
class CounterByLabel {
public:
    CounterByLabel(Family<Counter>& family, std::string label) : family_(family), label_(std::move(label)) {}

    /// Null only when creating the counter failed (out of memory): the caller skips the increment.
    Counter* get(std::string_view value) noexcept {
        {
            std::shared_lock lock(mutex_);
            if (auto it = counters_.find(value); it != counters_.end()) return it->second;
        }
        try {
            std::unique_lock lock(mutex_);
            auto [it, inserted] = counters_.try_emplace(std::string(value), nullptr);
            if (inserted) {
                try {
                    it->second = &family_.Add({{label_, it->first}});
                } catch (...) {
                    counters_.erase(it);
                    throw;
                }
            }
            return it->second;
        } catch (const std::exception& e) {
            spdlog::debug("metrics: cannot create {}{{{}=\"{}\"}}: {}", family_.GetName(), label_, value, e.what());
            return nullptr;
        }
    }

private:
    Family<Counter>& family_;
    const std::string label_;
    std::shared_mutex mutex_;
    std::unordered_map<std::string, Counter*, StringHash, std::equal_to<>> counters_;
};

void add(Counter* counter, std::uint64_t amount) noexcept {
    if (counter != nullptr && amount > 0) counter->Increment(static_cast<double>(amount));
}

Family<Counter>& counter_family(prometheus::Registry& registry, const std::string& name, const std::string& help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

/// 1 µs to 1 s in 1-2.5-5 steps: a transform takes microseconds; a slow one stands out. Literals,
/// so the "le" labels read 2.5e-05, not 2.5000000000000001e-05.
prometheus::Histogram::BucketBoundaries processing_buckets() {
    return {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3,
            2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1.0};
}

using PartitionKey = std::pair<std::string, std::int32_t>;  // topic, partition

}  // namespace

struct Metrics::State {
    explicit State(prometheus::Registry& registry)
        : produced(counter_family(registry, "streamstore_records_produced_total",
                                  "Records acknowledged by the broker (successful delivery reports), by topic"),
                   "topic"),
          produced_bytes(counter_family(registry, "streamstore_produced_bytes_total",
                                        "Bytes of key and value of the records acknowledged by the broker, by topic"),
                         "topic"),
          failed(counter_family(registry, "streamstore_records_failed_total",
                                "Records that could not be produced (delivery report with an error, or refused), by topic"),
                 "topic"),
          consumed(counter_family(registry, "streamstore_records_consumed_total", "Records consumed, by topic"), "topic"),
          consumed_bytes(counter_family(registry, "streamstore_consumed_bytes_total",
                                        "Bytes of key and value of the records consumed, by topic"),
                         "topic"),
          dead_letters(counter_family(registry, "streamstore_dead_letters_total",
                                      "Records sent to a dead letter topic, by source topic and error class")),
          transactions_committed(counter_family(registry, "streamstore_transactions_committed_total",
                                                "Kafka transactions committed (exactly-once)")
                                     .Add({})),
          transactions_aborted(counter_family(registry, "streamstore_transactions_aborted_total",
                                              "Kafka transactions aborted (exactly-once)")
                                   .Add({})),
          offset_commits(counter_family(registry, "streamstore_offset_commits_total",
                                        "Offset commits of consumed records (at-least-once)")
                             .Add({})),
          rewinds(counter_family(registry, "streamstore_rewinds_total",
                                 "Rewinds to the committed offsets after a failure (at-least-once)")
                      .Add({})),
          processing(prometheus::BuildHistogram()
                         .Name("streamstore_processing_seconds")
                         .Help("Wall-clock time one input record spent in the processor's transform")
                         .Register(registry)
                         .Add({}, processing_buckets())),
          commit(prometheus::BuildHistogram()
                     .Name("streamstore_commit_seconds")
                     .Help("Wall-clock time of one commit: flushing the outputs, then committing the "
                           "transaction (exactly-once) or the offsets (at-least-once)")
                     .Register(registry)
                     .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                                      0.25, 0.5, 1, 2.5, 5, 10})),
          lag(prometheus::BuildGauge()
                  .Name("streamstore_consumer_lag")
                  .Help("Records between a consumer's position and the end of an assigned partition "
                        "(last stable offset), from librdkafka's statistics")
                  .Register(registry)),
          build_info(prometheus::BuildGauge()
                         .Name("streamstore_build_info")
                         .Help("Always 1; labelled with the service and its version")
                         .Register(registry)) {}

    CounterByLabel produced;
    CounterByLabel produced_bytes;
    CounterByLabel failed;
    CounterByLabel consumed;
    CounterByLabel consumed_bytes;

    // Dead letters are rare: a plain mutex and a key of topic '\0' error class.
    Family<Counter>& dead_letters;
    std::mutex dead_letters_mutex;
    std::unordered_map<std::string, Counter*> dead_letter_counters;

    Counter& transactions_committed;
    Counter& transactions_aborted;
    Counter& offset_commits;
    Counter& rewinds;
    prometheus::Histogram& processing;
    prometheus::Histogram& commit;

    // Consumer lag: which handle ("name") reports which partitions, and one gauge per partition
    // for as long as some handle reports it.
    struct LagSeries {
        Gauge* gauge = nullptr;
        std::set<std::string, std::less<>> reporters;
    };
    struct Reporter {
        std::int64_t last_ts = 0;   // µs, librdkafka's monotonic clock (the same for every handle)
        std::int64_t interval = 0;  // µs between its last two reports; 0 until known
        std::set<PartitionKey> partitions;
    };
    Family<Gauge>& lag;
    std::mutex lag_mutex;
    std::map<PartitionKey, LagSeries> lag_series;
    std::map<std::string, Reporter, std::less<>> reporters;

    Family<Gauge>& build_info;

    static constexpr std::int64_t kStaleIntervals = 10;

    // Under lag_mutex.
    void release(const PartitionKey& key, std::string_view reporter) {
        auto it = lag_series.find(key);
        if (it == lag_series.end()) return;
        if (auto r = it->second.reporters.find(reporter); r != it->second.reporters.end()) it->second.reporters.erase(r);
        if (it->second.reporters.empty()) {
            lag.Remove(it->second.gauge);
            lag_series.erase(it);
        }
    }

    void update_lag(const ConsumerLag& stats) {
        std::lock_guard lock(lag_mutex);
        auto reporter_it = reporters.find(stats.name);
        if (reporter_it == reporters.end()) reporter_it = reporters.emplace(stats.name, Reporter{}).first;
        Reporter& reporter = reporter_it->second;
        if (reporter.last_ts > 0 && stats.ts > reporter.last_ts) reporter.interval = stats.ts - reporter.last_ts;
        reporter.last_ts = stats.ts;

        std::set<PartitionKey> now;
        for (const PartitionLag& partition : stats.partitions) {
            PartitionKey key{partition.topic, partition.partition};
            LagSeries& series = lag_series[key];
            if (series.gauge == nullptr) {
                try {
                    series.gauge = &lag.Add({{"topic", partition.topic}, {"partition", std::to_string(partition.partition)}});
                } catch (...) {
                    lag_series.erase(key);
                    throw;
                }
            }
            series.reporters.insert(stats.name);
            series.gauge->Set(static_cast<double>(partition.lag));
            now.insert(std::move(key));
        }
        for (const PartitionKey& key : reporter.partitions) {
            if (!now.contains(key)) release(key, stats.name);
        }
        reporter.partitions = std::move(now);

        // Handles that stopped reporting (closed, destroyed) give their partitions up.
        for (auto it = reporters.begin(); it != reporters.end();) {
            const Reporter& other = it->second;
            if (it != reporter_it && other.interval > 0 && stats.ts - other.last_ts > kStaleIntervals * other.interval) {
                for (const PartitionKey& key : other.partitions) release(key, it->first);
                it = reporters.erase(it);
            } else {
                ++it;
            }
        }
    }
};

Metrics::Metrics(std::string_view service, std::string_view version)
    : registry_(std::make_shared<prometheus::Registry>()), state_(std::make_unique<State>(*registry_)) {
    state_->build_info.Add({{"service", std::string(service)}, {"version", std::string(version)}}).Set(1);
}

Metrics::~Metrics() = default;

std::string Metrics::serialize() const {
    return prometheus::TextSerializer{}.Serialize(registry_->Collect());
}

void Metrics::on_produced(std::string_view topic, std::uint64_t records, std::uint64_t bytes) noexcept {
    add(state_->produced.get(topic), records);
    add(state_->produced_bytes.get(topic), bytes);
}

void Metrics::on_produce_failed(std::string_view topic, std::uint64_t records) noexcept {
    add(state_->failed.get(topic), records);
}

void Metrics::on_consumed(std::string_view topic, std::uint64_t records, std::uint64_t bytes) noexcept {
    add(state_->consumed.get(topic), records);
    add(state_->consumed_bytes.get(topic), bytes);
}

void Metrics::on_dead_letter(std::string_view source_topic, std::string_view error_class) noexcept {
    try {
        std::string key;
        key.reserve(source_topic.size() + 1 + error_class.size());
        key.append(source_topic).append(1, '\0').append(error_class);
        std::lock_guard lock(state_->dead_letters_mutex);
        Counter*& counter = state_->dead_letter_counters[key];
        if (counter == nullptr) {
            try {
                counter = &state_->dead_letters.Add(
                    {{"topic", std::string(source_topic)}, {"error_class", std::string(error_class)}});
            } catch (...) {
                state_->dead_letter_counters.erase(key);
                throw;
            }
        }
        counter->Increment();
    } catch (const std::exception& e) {
        spdlog::debug("metrics: cannot count a dead letter of {} ({}): {}", source_topic, error_class, e.what());
    }
}

void Metrics::on_commit(bool transactional, std::chrono::nanoseconds elapsed) noexcept {
    (transactional ? state_->transactions_committed : state_->offset_commits).Increment();
    state_->commit.Observe(std::chrono::duration<double>(elapsed).count());
}

void Metrics::on_abort(bool transactional) noexcept {
    (transactional ? state_->transactions_aborted : state_->rewinds).Increment();
}

void Metrics::on_processed(std::chrono::nanoseconds elapsed) noexcept {
    state_->processing.Observe(std::chrono::duration<double>(elapsed).count());
}

void Metrics::on_statistics(std::string_view json) noexcept {
    try {
        const auto stats = parse_consumer_lag(json);
        if (stats) state_->update_lag(*stats);
    } catch (const std::exception& e) {
        spdlog::debug("metrics: librdkafka statistics ignored: {}", e.what());
    }
}

}  // namespace streamstore::observability
