#pragma once
// The reliability harness: the three service binaries as child processes against the real broker,
// a supervisor that restarts what crashed (as an orchestrator would), fault injection (signals to
// services and to the broker), and the verifier (tools/verify) to count the outcome.
//
// Sizes come from STREAMSTORE_RELIABILITY_SCALE: "fast" (default, what CI runs) or "full" (the
// figures in docs/reliability.md; scripts/reliability.sh sets it).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "process.hpp"

namespace streamstore::testing {

struct Scale {
    bool full = false;
    int orders = 3'000;
    int kills = 3;
    int broker_kills = 1;
    int broker_stops = 1;
    int bad_records = 130;
    int sigterms = 5;

    static Scale from_environment();
};

/// Committed offsets of `group` on `topic`, summed over its partitions (missing ones count 0).
std::int64_t committed_total(const std::string& group, const std::string& topic);

/// Offsets of `topic` summed over partitions (high watermarks): records + transaction markers.
std::int64_t end_offsets_total(const std::string& topic);

/// Peak resident set of `pid` in KiB (VmHWM), or -1.
long peak_rss_kib(pid_t pid);

/// The verifier's verdict and its summary output.
struct Verdict {
    int exit_code = -1;
    std::string output;
    [[nodiscard]] bool pass() const { return exit_code == 0; }
};

class Chaos {
public:
    Chaos();
    ~Chaos();

    const std::string orders, payments, notifications, pay_group, notify_group;
    std::mt19937_64 rng;

    /// A payment-service with transactional id `instance` (stable across its restarts).
    std::unique_ptr<ChildProcess> start_payment(const std::string& instance, const std::string& guarantee,
                                                std::vector<std::string> extra = {});
    std::unique_ptr<ChildProcess> start_notification(const std::string& instance, const std::string& guarantee);
    /// Runs order-generator to completion; returns how many it delivered (from its summary).
    int generate(int count, const std::string& interval, const std::vector<std::string>& extra = {});
    std::unique_ptr<ChildProcess> start_generator(int count, const std::string& interval,
                                                  const std::vector<std::string>& extra = {});

    /// Waits until the payment group has committed every order (orders' end offsets), or fails.
    bool wait_all_paid(std::chrono::seconds timeout);
    /// Waits until the payment group committed `n` more orders than `from`.
    bool wait_paid_progress(std::int64_t from, std::int64_t n, std::chrono::seconds timeout);
    /// Runs the verifier until it passes or `timeout` passes; returns the last verdict.
    Verdict verify_until_pass(const std::string& expect, int expect_orders, std::chrono::seconds timeout,
                              bool notifications_too = true);
    Verdict verify(const std::string& expect, int expect_orders, bool notifications_too = true);

    /// Random milliseconds in [lo, hi].
    std::chrono::milliseconds random_ms(int lo, int hi);

    /// The broker: only when the tests run against scripts/kafka-local.sh's broker.
    static bool broker_controllable();
    static void broker(const std::string& command);  // "stop", "start", "kill"

    /// Common service flags: bootstrap, short session timeout so a killed member is replaced fast.
    static std::vector<std::string> service_flags();
};

/// The order-generator --interval that spreads `orders` over about `seconds` (at least 1ms), so
/// that faults land while orders still flow.
std::string paced_interval(int orders, int seconds);

/// `a` followed by `b`.
std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b);

}  // namespace streamstore::testing
