# Runs a guest image under x86-native-runner and checks the result.
#   cmake -DRUNNER=... -DIMAGE=... [-DEXPECTED=file] [-DTIMEOUT=10] -P run_guest_test.cmake
# Passes when the runner exits 0 (guest reached hlt), the serial output
# contains "checksum: 0x<16 hex digits>", and, if EXPECTED is given, the
# output equals that file byte for byte.
if(NOT RUNNER OR NOT IMAGE)
  message(FATAL_ERROR "run_guest_test.cmake: RUNNER and IMAGE are required")
endif()
if(NOT TIMEOUT)
  set(TIMEOUT 10)
endif()
execute_process(COMMAND ${RUNNER} ${IMAGE} --timeout ${TIMEOUT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}")
if(err)
  message("stderr:\n${err}")
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "x86-native-runner exited with '${rc}'")
endif()
if(NOT out MATCHES "checksum: 0x[0-9a-f]+\n")
  message(FATAL_ERROR "guest output has no 'checksum: 0x...' line")
endif()
if(EXPECTED)
  file(READ ${EXPECTED} want)
  if(NOT out STREQUAL want)
    message(FATAL_ERROR "guest output differs from ${EXPECTED}; expected:\n${want}")
  endif()
endif()
