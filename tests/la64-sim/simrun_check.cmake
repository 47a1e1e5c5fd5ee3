# CTest driver for la64-sim-run-skeleton: the skeleton guest through bmbt-simrun (BMBT's engine,
# the JIT's LoongArch code executed in the simulator) must
#  1. print exactly the expected serial output (the file the other skeleton tests use, itself the
#     native x86-64 CPU's output) and halt cleanly;
#  2. count the guest instructions the IR interpreter counts for the same image (`bmbt -accel
#     interp -d stats`: the interpreter charges each block it runs, so its dispatches are the blocks
#     entered) — the simulator counts block entries by PC, a completely different mechanism;
#  3. report one port_out host call per byte of output (the guest writes each byte with one `out`),
#     LoongArch instructions in both translated blocks and the trampoline, and a ratio per guest
#     instruction within loose bounds (1..100; the vector corpus expands 5-20x statically);
#  4. with the counting code generated (--count-insns), agree with the engine's own counter
#     (bmbt-simrun exits 3 otherwise).
# FLAGS (optional, a list) is passed to every bmbt-simrun run, e.g. --lbt for the LBT flag strategy.
foreach(v SIMRUN BMBT IMAGE EXPECTED WORK)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "simrun_check: ${v} not set")
  endif()
endforeach()
file(MAKE_DIRECTORY ${WORK})
file(READ ${EXPECTED} expected)

execute_process(COMMAND ${SIMRUN} ${FLAGS} --max-la-insns 100000000 --json ${WORK}/stats.json ${IMAGE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 100)
message("--- bmbt-simrun stderr:\n${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "bmbt-simrun exited with ${rc}; output:\n${out}")
endif()
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "serial output differs from ${EXPECTED}\n--- expected:\n${expected}\n--- got:\n${out}")
endif()

execute_process(COMMAND ${BMBT} -accel interp -d stats -max-insns 100000000 -kernel ${IMAGE}
                RESULT_VARIABLE irc OUTPUT_VARIABLE iout ERROR_VARIABLE ierr TIMEOUT 100)
if(NOT irc EQUAL 0 OR NOT iout STREQUAL expected)
  message(FATAL_ERROR "the interpreter run failed (${irc}):\n${ierr}")
endif()
if(NOT ierr MATCHES "guest instructions executed ([0-9]+), engine dispatches ([0-9]+)")
  message(FATAL_ERROR "no guest instruction count in the interpreter's -d stats:\n${ierr}")
endif()
set(interp_insns ${CMAKE_MATCH_1})
set(interp_blocks ${CMAKE_MATCH_2})

if(NOT err MATCHES "simrun: guest instructions executed ([0-9]+) \\(([0-9]+) blocks entered")
  message(FATAL_ERROR "no guest instruction count in bmbt-simrun's statistics")
endif()
if(NOT CMAKE_MATCH_1 EQUAL interp_insns OR NOT CMAKE_MATCH_2 EQUAL interp_blocks)
  message(FATAL_ERROR "bmbt-simrun counted ${CMAKE_MATCH_1} guest instructions in ${CMAKE_MATCH_2} blocks, "
                      "the interpreter ${interp_insns} in ${interp_blocks}")
endif()
set(guest ${CMAKE_MATCH_1})

if(NOT err MATCHES "LoongArch instructions executed ([0-9]+): translated blocks ([0-9]+), trampoline and stubs ([0-9]+)")
  message(FATAL_ERROR "no LoongArch instruction counts in bmbt-simrun's statistics")
endif()
set(la ${CMAKE_MATCH_1})
if(CMAKE_MATCH_2 EQUAL 0 OR CMAKE_MATCH_3 EQUAL 0)
  message(FATAL_ERROR "no LoongArch instructions counted in translated blocks or in the trampoline")
endif()
math(EXPR low "${guest}")
math(EXPR high "${guest} * 100")
if(la LESS low OR la GREATER high)
  message(FATAL_ERROR "${la} LoongArch instructions for ${guest} guest instructions: outside 1..100 per guest instruction")
endif()

string(LENGTH "${expected}" bytes)
if(NOT err MATCHES "port_out ([0-9]+)" OR NOT CMAKE_MATCH_1 EQUAL bytes)
  message(FATAL_ERROR "expected ${bytes} port_out host calls (one per output byte), got '${CMAKE_MATCH_1}'")
endif()
if(NOT EXISTS ${WORK}/stats.json)
  message(FATAL_ERROR "bmbt-simrun --json wrote nothing")
endif()

execute_process(COMMAND ${SIMRUN} ${FLAGS} --count-insns --max-la-insns 100000000 ${IMAGE}
                RESULT_VARIABLE crc OUTPUT_VARIABLE cout ERROR_VARIABLE cerr TIMEOUT 100)
if(NOT crc EQUAL 0 OR NOT cout STREQUAL expected)
  message(FATAL_ERROR "bmbt-simrun --count-insns exited with ${crc} (3: the engine's count differs):\n${cerr}")
endif()
if(NOT cerr MATCHES "stats: guest instructions executed ${guest},")
  message(FATAL_ERROR "with counting code the engine did not count ${guest} guest instructions:\n${cerr}")
endif()
message("--- ${guest} guest instructions, ${la} LoongArch instructions executed; counts agree with the interpreter and the engine")
