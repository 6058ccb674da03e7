#pragma once
// Runs a function when the scope ends, however it ends (also in coroutines: locals are destroyed
// before the coroutine's final suspend, on co_return and on an exception alike).

#include <utility>

namespace streamstore::runtime {

template <class F>
class [[nodiscard]] ScopeExit {
public:
    explicit ScopeExit(F f) : f_(std::move(f)) {}
    ~ScopeExit() { f_(); }
    ScopeExit(const ScopeExit&) = delete;
    ScopeExit& operator=(const ScopeExit&) = delete;

private:
    F f_;
};

}  // namespace streamstore::runtime
