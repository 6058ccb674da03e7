# streamstore_add_service(<binary> <core_target> SOURCES <files...>)
# A service is a library of its business rules and Kafka wiring (<core_target>, which tests link)
# and a binary built from src/main.cpp, installed into bin/.
function(streamstore_add_service binary core)
    cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "SOURCES")
    add_library(${core} ${arg_SOURCES})
    target_include_directories(${core} PUBLIC src)
    target_link_libraries(${core}
        PUBLIC streamstore::events streamstore::messaging streamstore::runtime
        PRIVATE spdlog::spdlog)
    streamstore_set_warnings(${core})

    add_executable(${binary} src/main.cpp)
    target_link_libraries(${binary} PRIVATE ${core})
    streamstore_set_warnings(${binary})
    install(TARGETS ${binary} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endfunction()
