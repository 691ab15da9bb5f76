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

# Precompiled headers of the tests. Every test binary of one build reuses one of two shared
# precompiled headers (GCC writes about 130 MB per header: one per test binary filled the disk
# of small CI machines): the common set below, and the common set plus core/ir/model.h for core/'s
# tests (the PCH argument of compressd_add_test). A header set gets its own holder target the
# first time a test asks for it; the holder is compiled with exactly the test flags, which is what
# GCC requires of a header it reuses (-Winvalid-pch with -Werror turns any mismatch into an error).
set(COMPRESSD_TEST_PCH_COMMON <cstdint> <memory> <string> <vector> <gtest/gtest.h> <gmock/gmock.h>
    <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h>)

# Compile options of test code: optimization level, and uninstrumented under the sanitizers when
# COMPRESSD_SANITIZE_TEST_CODE is OFF (see compressd_add_test).
function(compressd_test_code_options target)
  if(COMPRESSD_TEST_OPTIMIZE)
    target_compile_options(${target} PRIVATE ${COMPRESSD_TEST_OPTIMIZE})
  endif()
  # -pthread everywhere: some test binaries get it from gRPC, and a shared precompiled header must
  # see the same predefined macros as every test that reuses it.
  target_compile_options(${target} PRIVATE -pthread)
  if(COMPRESSD_SANITIZE AND NOT COMPRESSD_SANITIZE_TEST_CODE)
    target_compile_options(${target} PRIVATE -fno-sanitize=all -g0)
  endif()
endfunction()

# Sets OUT to the target holding the shared precompiled header for the common set plus HEADERS.
function(compressd_shared_test_pch out)
  set(headers ${ARGN})
  set(holder compressd_test_pch)  # named after the extra headers: compressd_test_pch_model
  foreach(header IN LISTS headers)
    get_filename_component(stem ${header} NAME_WE)
    string(APPEND holder _${stem})
  endforeach()
  if(NOT TARGET ${holder})
    set(src ${PROJECT_BINARY_DIR}/test_pch/${holder}.cc)
    if(NOT EXISTS ${src})
      file(WRITE ${src} "// Holder of a shared precompiled header of the tests (cmake/CompilerOptions.cmake).\n")
    endif()
    add_library(${holder} OBJECT ${src})
    # Compiled as executable code (-fPIE), like the tests, rather than as library code (-fPIC).
    set_target_properties(${holder} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${holder} PRIVATE ${CMAKE_CXX_COMPILE_OPTIONS_PIE})
    target_link_libraries(${holder} PRIVATE GTest::gtest GTest::gmock absl::status absl::statusor
                          absl::strings compressd_warnings)
    target_include_directories(${holder} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    compressd_test_code_options(${holder})
    target_precompile_headers(${holder} PRIVATE ${COMPRESSD_TEST_PCH_COMMON} ${headers})
  endif()
  set(${out} ${holder} PARENT_SCOPE)
endfunction()

# compressd_add_test(NAME SOURCES... [LIBS ...] [LABELS ...] [PCH headers...] [NEEDS_DATA]) — one
# gtest binary registered with ctest; PCH adds project headers to the shared precompiled header it
# reuses. NEEDS_DATA makes its tests depend on the test_data fixture
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
  # Instrumenting the test sources (large gtest bodies) triples their compile time under ASan +
  # UBSan while the code they exercise lives in the instrumented libraries; the README test
  # command therefore builds them uninstrumented and without debug info. Allocation and
  # out-of-bounds errors in library code, including library templates, are still caught.
  # Test binaries that replace the global operator new stay instrumented: an uninstrumented
  # replacement is reached before the ASan runtime is initialized.
  set(replaces_new FALSE)
  if(COMPRESSD_SANITIZE AND NOT COMPRESSD_SANITIZE_TEST_CODE)
    foreach(src IN LISTS T_SOURCES T_UNPARSED_ARGUMENTS)
      get_filename_component(path ${src} ABSOLUTE)
      file(STRINGS ${path} hits REGEX "^void\\* operator new")
      if(hits)
        set(replaces_new TRUE)
      endif()
    endforeach()
  endif()
  if(replaces_new)  # instrumented: its flags differ from the shared header's, so it has its own
    if(COMPRESSD_TEST_OPTIMIZE)
      target_compile_options(${name} PRIVATE ${COMPRESSD_TEST_OPTIMIZE})
    endif()
    if(COMPRESSD_TEST_PCH)
      target_precompile_headers(${name} PRIVATE ${COMPRESSD_TEST_PCH_COMMON} ${T_PCH})
    endif()
  else()
    compressd_test_code_options(${name})
    if(COMPRESSD_TEST_PCH)
      compressd_shared_test_pch(holder ${T_PCH})
      target_precompile_headers(${name} REUSE_FROM ${holder})
    endif()
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
