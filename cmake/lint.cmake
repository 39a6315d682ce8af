# File: cmake/lint.cmake — the `lint` target (preset `lint`): clang-format and clang-tidy 14 over the tree.
# Configure-only: clang-tidy reads compile_commands.json and the generated sources, nothing is compiled.
find_program(WSECHO_CLANG_FORMAT clang-format-14 REQUIRED)
find_program(WSECHO_RUN_CLANG_TIDY run-clang-tidy-14 REQUIRED)
add_custom_target(lint
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/lint.sh ${PROJECT_BINARY_DIR}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    USES_TERMINAL
    COMMENT "clang-format and clang-tidy (scripts/lint.sh)")
