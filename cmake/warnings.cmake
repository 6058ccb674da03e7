# streamstore_set_warnings(<target>): the project's warning level, applied to every target it owns.
function(streamstore_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                             -Wold-style-cast -Wcast-align)
    if(STREAMSTORE_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()
