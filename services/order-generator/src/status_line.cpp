#include "status_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace streamstore::order_generator {

namespace {
constexpr std::string_view kEraseLine = "\r\x1b[K";  // to column 0, erase to the end of the line
constexpr std::size_t kDefaultWidth = 80;
}  // namespace

StatusLine::StatusLine(int fd) : fd_(fd), enabled_(::isatty(fd) == 1) {}

StatusLine::StatusLine(int fd, bool enabled, std::size_t width) : fd_(fd), enabled_(enabled), fixed_width_(width) {}

std::size_t StatusLine::width() const {
    if (fixed_width_ > 0) return fixed_width_;
    winsize size{};
    if (::ioctl(fd_, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return kDefaultWidth;
}

void StatusLine::draw(std::string_view text) {
    if (!enabled_) return;
    const std::lock_guard lock(mutex_);
    if (closed_) return;
    // One column short of the width: a line that fills the last column makes some terminals wrap.
    const std::size_t columns = width() > 1 ? width() - 1 : 1;
    std::string bytes(kEraseLine);
    bytes += text.substr(0, columns);
    bytes += '\r';  // park the cursor at column 0, so that whatever others write replaces the line
    write_all(bytes);
    drawn_ = true;
}

void StatusLine::close() {
    if (!enabled_) return;
    const std::lock_guard lock(mutex_);
    erase_locked();
    closed_ = true;
}

void StatusLine::erase_locked() {
    if (!enabled_ || !drawn_) return;
    write_all(kEraseLine);
    drawn_ = false;
}

void StatusLine::write_all(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a terminal that went away: nothing useful to do
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace streamstore::order_generator
