# File: install_consumer/check_install.cmake — cmake --install to a temporary prefix, then build and run a
# consumer project against it with find_package(wsecho). Run by ctest (label "install").
foreach(var BUILD_DIR CONSUMER_DIR WORK_DIR)
    if(NOT ${var})
        message(FATAL_ERROR "check_install.cmake needs -D${var}=...")
    endif()
endforeach()

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        list(JOIN ARGN " " line)
        message(FATAL_ERROR "failed (${rc}): ${line}")
    endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
foreach(installed bin/wsecho-server bin/wsecho-client bin/wsecho-bench include/wsecho/dial.hpp include/wsecho/server.hpp include/wsecho/version.hpp)
    if(NOT EXISTS ${WORK_DIR}/prefix/${installed})
        message(FATAL_ERROR "not installed: ${installed}")
    endif()
endforeach()
# The library's internals stay out of the public headers.
if(EXISTS ${WORK_DIR}/prefix/include/wsecho/detail)
    message(FATAL_ERROR "installed, but lib-private: include/wsecho/detail")
endif()
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -G Ninja -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer)
