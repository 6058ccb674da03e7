#pragma once
// A status line redrawn in place at the bottom of a terminal (order-generator's progress line).
//
// draw() rewrites the line with a carriage return and "erase to end of line", cut to the
// terminal's width so it never wraps, and leaves the cursor at column 0. Log lines written
// through above() appear above it: the line is erased first and redrawn by the next draw().
// Lines written by others (librdkafka's logs, the signal handler's) overwrite it from column 0
// (a shorter one leaves the line's tail visible); the next draw() starts on the line below.
// Thread safety: every member may be called from any thread (one mutex).

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace streamstore::order_generator {

class StatusLine {
public:
    /// Draws on `fd` if it is a terminal (isatty), else does nothing at all.
    explicit StatusLine(int fd);
    /// Draws on `fd` when `enabled`, at most `width` columns wide (0 = ask the terminal): for tests.
    StatusLine(int fd, bool enabled, std::size_t width);
    StatusLine(const StatusLine&) = delete;
    StatusLine& operator=(const StatusLine&) = delete;

    [[nodiscard]] bool enabled() const noexcept { return enabled_; }

    /// Replaces the line with `text` (cut to the width). No effect once closed.
    void draw(std::string_view text);

    /// Erases the line, runs `write` (which writes whole lines to the same terminal, e.g. a log
    /// line), and leaves the line to the next draw().
    template <class Write>
    void above(Write&& write) {
        const std::lock_guard lock(mutex_);
        erase_locked();
        write();
    }

    /// Erases the line for good: later draws do nothing. Idempotent.
    void close();

private:
    void erase_locked();
    void write_all(std::string_view bytes);
    [[nodiscard]] std::size_t width() const;

    std::mutex mutex_;
    int fd_;
    bool enabled_;
    std::size_t fixed_width_ = 0;
    bool drawn_ = false;   // something is on the line
    bool closed_ = false;
};

}  // namespace streamstore::order_generator
