#pragma once
// A child process for tests: started with posix_spawn, its stdout read line by line through a
// pipe and its stderr kept in a file; every wait has a deadline (poll(2) on the pipe and on a
// pidfd), so a hung child fails the test instead of hanging it.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace streamstore::testing {

class ChildProcess {
public:
    /// Starts `argv` with the current environment plus `env` (NAME=value entries).
    explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {});
    ~ChildProcess();  ///< SIGKILLs the child if it still runs.
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// The next stdout line (without '\n'), or nullopt at end of output or when `timeout` passed.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);

    /// Sends `signal` (e.g. SIGTERM).
    void signal(int signal);

    /// The exit code once the child has exited within `timeout` (128 + signal if killed by one),
    /// or nullopt if it is still running.
    std::optional<int> wait(std::chrono::milliseconds timeout);

    /// What the child wrote to stderr so far.
    [[nodiscard]] std::string stderr_text() const;
    [[nodiscard]] pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    int pidfd_ = -1;
    std::string stderr_path_;
    std::string buffer_;
    bool eof_ = false;
    std::optional<int> exit_code_;
};

}  // namespace streamstore::testing
