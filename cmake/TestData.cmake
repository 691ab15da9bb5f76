# Test data (real MediaPipe models, the pinned TFLite runtime) is fetched at test time by
# scripts/fetch_test_data.sh into COMPRESSD_TEST_DATA_DIR and checked by sha256. Nothing binary is
# committed. Tests that need it declare FIXTURES_REQUIRED test_data.
set(COMPRESSD_TEST_DATA_DIR "${CMAKE_BINARY_DIR}/testdata" CACHE PATH
    "Where test models and the reference TFLite runtime are cached")

add_test(NAME fetch_test_data
         COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/fetch_test_data.sh ${COMPRESSD_TEST_DATA_DIR})
set_tests_properties(fetch_test_data PROPERTIES FIXTURES_SETUP test_data LABELS "data" TIMEOUT 900)

# compressd_requires_test_data(TEST...) — marks tests as needing the fetched data.
function(compressd_requires_test_data)
  set_tests_properties(${ARGN} PROPERTIES FIXTURES_REQUIRED test_data)
endfunction()
