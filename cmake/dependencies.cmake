# Every dependency comes from Debian's packages (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
set(Boost_NO_WARN_NEW_VERSIONS ON)  # FindBoost predates 1.81; the targets it makes are right
find_package(Boost 1.81 EXACT REQUIRED COMPONENTS json)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)  # libs/observability links only prometheus-cpp::core
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka>=2.0)

# Asio and Beast are header-only; one place sets how they are compiled.
add_library(streamstore_asio INTERFACE)
add_library(streamstore::asio ALIAS streamstore_asio)
target_link_libraries(streamstore_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(streamstore_asio INTERFACE
    BOOST_ASIO_NO_DEPRECATED
    BOOST_ASIO_DISABLE_BOOST_COROUTINE)
