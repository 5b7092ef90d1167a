# Build the consumer programs (targets.cmake) against planeval and run them. MODE:
# - find_package (the default): install the build tree BUILD_DIR into WORK_DIR/prefix, then
#   configure SOURCE_DIR (tests/consumer) with find_package(planeval CONFIG);
# - add_subdirectory: configure SOURCE_DIR/subdir, which adds planeval's source tree PLANEVAL_ROOT
#   with add_subdirectory (planeval is built there, as a subproject).
file(REMOVE_RECURSE "${WORK_DIR}")
function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGV}")
  endif()
endfunction()
# The consumer uses the same configuration as the build it installs (none, for a single-config
# build configured without CMAKE_BUILD_TYPE).
set(_config_args)
if(CONFIG)
  set(_config_args --config ${CONFIG})
endif()
set(_flags)
if(SANITIZE)
  set(_flags "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
elseif(TSAN)
  set(_flags "-DCMAKE_CXX_FLAGS=-fsanitize=thread" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread")
endif()
if(MODE STREQUAL "add_subdirectory")
  run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}/subdir" -B "${WORK_DIR}/build" -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX}
      "-DPLANEVAL_SOURCE_DIR=${PLANEVAL_ROOT}" "-DCMAKE_BUILD_TYPE=${CONFIG}" ${_flags})
else()
  run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix" ${_config_args})
  run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX}
      -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix "-DCMAKE_BUILD_TYPE=${CONFIG}" ${_flags})
endif()
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build" --parallel 2)
foreach(_program consumer json_consumer rules_only custom_rule)
  run("${WORK_DIR}/build/${_program}")
endforeach()
