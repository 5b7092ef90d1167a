# The consumer programs, the same for both ways of getting planeval::planeval: find_package of the
# installed package (CMakeLists.txt) and add_subdirectory of the source tree (subdir/CMakeLists.txt).
set(_consumer_dir "${CMAKE_CURRENT_LIST_DIR}")
add_executable(consumer "${_consumer_dir}/main.cpp")
target_link_libraries(consumer PRIVATE planeval::planeval)
# JSON I/O through the opt-in <planeval/json.hpp>.
add_executable(json_consumer "${_consumer_dir}/json_main.cpp")
target_link_libraries(json_consumer PRIVATE planeval::planeval)
# The rules alone: header-only, so built with planeval's include directory and nothing linked.
add_executable(rules_only "${_consumer_dir}/rules_only.cpp")
target_include_directories(rules_only PRIVATE $<TARGET_PROPERTY:planeval::planeval,INTERFACE_INCLUDE_DIRECTORIES>)
target_compile_features(rules_only PRIVATE cxx_std_20)
# The custom-rule example, built here against the package as a user would build it.
add_executable(custom_rule "${_consumer_dir}/../../examples/cpp/custom_rule.cpp")
target_link_libraries(custom_rule PRIVATE planeval::planeval)
