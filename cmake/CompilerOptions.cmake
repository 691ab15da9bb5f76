# Warnings, sanitizers and fuzzing flags shared by every target of the project.
add_library(compressd_warnings INTERFACE)
target_compile_options(compressd_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(COMPRESSD_WERROR)
  target_compile_options(compressd_warnings INTERFACE -Werror)
endif()

if(COMPRESSD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(COMPRESSD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "COMPRESSD_FUZZ needs clang (CXX=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# compressd_add_test(NAME SOURCES... [LIBS ...] [LABELS ...] [PCH headers...] [NEEDS_DATA]) — one
# gtest binary registered with ctest; PCH adds project headers to its precompiled header. NEEDS_DATA makes its tests depend on the test_data fixture
# (cmake/TestData.cmake), which fetches the real models and the reference runtime first.
# Without NEEDS_DATA, only the tests of suites whose name ends in "DataTest" (RealModelsDataTest.*,
# MediaPipe/FooDataTest.*) get the fixture, so a folder's test binary can mix unit tests and tests
# on real models.
function(compressd_add_test name)
  cmake_parse_arguments(T "NEEDS_DATA" "" "SOURCES;LIBS;LABELS;PCH" ${ARGN})
  add_executable(${name} ${T_SOURCES} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main
                        compressd_warnings)
  # Test code is compiled at -O1 (the code under test lives in the libraries, built with the
  # project's optimization level), and with a precompiled header of what nearly every test
  # includes: together they roughly halve the build time of the test binaries.
  if(COMPRESSD_TEST_OPTIMIZE)
    target_compile_options(${name} PRIVATE ${COMPRESSD_TEST_OPTIMIZE})
  endif()
  # Instrumenting the test sources (large gtest bodies) triples their compile time under ASan +
  # UBSan while the code they exercise lives in the instrumented libraries; the README test
  # command therefore builds them uninstrumented and without debug info. Allocation and
  # out-of-bounds errors in library code, including library templates, are still caught.
  # Test binaries that replace the global operator new stay instrumented: an uninstrumented
  # replacement is reached before the ASan runtime is initialized.
  if(COMPRESSD_SANITIZE AND NOT COMPRESSD_SANITIZE_TEST_CODE)
    set(replaces_new FALSE)
    foreach(src IN LISTS T_SOURCES T_UNPARSED_ARGUMENTS)
      get_filename_component(path ${src} ABSOLUTE)
      file(STRINGS ${path} hits REGEX "^void\\* operator new")
      if(hits)
        set(replaces_new TRUE)
      endif()
    endforeach()
    if(NOT replaces_new)
      target_compile_options(${name} PRIVATE -fno-sanitize=all -g0)
    endif()
  endif()
  if(COMPRESSD_TEST_PCH)
    target_precompile_headers(${name} PRIVATE <cstdint> <memory> <string> <vector>
                              <gtest/gtest.h> <gmock/gmock.h> <absl/status/status.h>
                              <absl/status/statusor.h> <absl/strings/str_cat.h> ${T_PCH})
  endif()
  set(labels ${T_LABELS})
  if(NOT labels)
    set(labels unit)
  endif()
  set(env ENVIRONMENT "COMPRESSD_TEST_DATA=${COMPRESSD_TEST_DATA_DIR}")
  if(T_NEEDS_DATA)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                         PROPERTIES LABELS "${labels}" ${env} FIXTURES_REQUIRED test_data)
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "-*DataTest.*"
                         PROPERTIES LABELS "${labels}" ${env})
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "*DataTest.*"
                         PROPERTIES LABELS "${labels}" ${env} FIXTURES_REQUIRED test_data)
  endif()
endfunction()
