#pragma once
// Shared by the flag tests (options_test, order_generator_options_test, tools' tool_options_test):
// parse a command line as a binary would, capturing what it says on stderr, in an environment
// without the caller's STREAMSTORE_* variables.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "streamstore/runtime/options.hpp"

extern char** environ;  // NOLINT: POSIX

namespace streamstore::testing {

struct ParseOutcome {
    std::optional<int> exit_code;  ///< what runtime::parse() returned
    std::string err;               ///< what it wrote to stderr
};

/// Runs runtime::parse() on `args` (without the program name) and captures stderr.
inline ParseOutcome parse_args(CLI::App& app, std::vector<std::string> args) {
    args.insert(args.begin(), app.get_name());
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::testing::internal::CaptureStderr();
    const std::optional<int> exit_code = runtime::parse(app, static_cast<int>(args.size()), argv.data());
    return {exit_code, ::testing::internal::GetCapturedStderr()};
}

/// The usage error: exit code 2 and one line "<app>: ...<flag>... (see --help)".
inline void expect_usage_error(const ParseOutcome& outcome, const std::string& app, const std::string& flag) {
    ASSERT_EQ(outcome.exit_code, runtime::kExitUsage) << "accepted; stderr: " << outcome.err;
    EXPECT_THAT(outcome.err, ::testing::StartsWith(app + ": "));
    EXPECT_THAT(outcome.err, ::testing::HasSubstr(flag));
    EXPECT_THAT(outcome.err, ::testing::HasSubstr("(see --help)"));
    ASSERT_FALSE(outcome.err.empty());
    EXPECT_EQ(outcome.err.find('\n'), outcome.err.size() - 1) << "more than one line: " << outcome.err;
}

/// Every test starts without STREAMSTORE_* variables (a CI job may export some for the
/// integration tests) and leaves the environment as it found it.
class FlagsTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (char** e = environ; *e != nullptr; ++e) {
            const std::string entry(*e);
            if (entry.rfind("STREAMSTORE_", 0) != 0) continue;
            const auto eq = entry.find('=');
            saved_.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
        }
        for (const auto& [name, value] : saved_) ::unsetenv(name.c_str());
    }

    void TearDown() override {
        for (const std::string& name : set_) ::unsetenv(name.c_str());
        for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
    }

    void set_env(const std::string& name, const std::string& value) {
        ::setenv(name.c_str(), value.c_str(), 1);
        set_.push_back(name);
    }

private:
    std::vector<std::pair<std::string, std::string>> saved_;
    std::vector<std::string> set_;
};

}  // namespace streamstore::testing
