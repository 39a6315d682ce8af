# File: cmake/install.cmake — installs binaries, headers and a package config for find_package(wsecho).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS wsecho EXPORT wsechoTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Not detail/: no installed header includes it (server and client forward-declare their state), so it is
# only the library's own.
install(DIRECTORY lib/include/wsecho DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} PATTERN "*.in" EXCLUDE
    PATTERN "detail" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/generated/wsecho/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/wsecho)
install(TARGETS wsecho-server wsecho-client RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# OPTIONAL: scripts/build.sh (the demo and the Docker image) builds only the server and the client; a full
# build installs the load generator too.
install(TARGETS wsecho-bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} OPTIONAL)

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/wsecho)
install(EXPORT wsechoTargets NAMESPACE wsecho:: DESTINATION ${config_dir})
configure_package_config_file(cmake/wsechoConfig.cmake.in ${PROJECT_BINARY_DIR}/wsechoConfig.cmake
    INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/wsechoConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/wsechoConfig.cmake ${PROJECT_BINARY_DIR}/wsechoConfigVersion.cmake
    DESTINATION ${config_dir})
