# Flags shared by every library of the core (everything under src/ except platform/linux-*).
# The core must build freestanding: no exceptions, no RTTI, no thread-safe static guards
# (they need a C++ runtime), and on bare metal no standard headers beyond the compiler's own.
# The include path propagates to users; the code-generation flags stay private to the core
# (tests and hosted tools may use exceptions).
add_library(bmbt_core_flags INTERFACE)
target_include_directories(bmbt_core_flags INTERFACE ${CMAKE_SOURCE_DIR}/src)
if(BMBT_FREESTANDING)
  target_compile_definitions(bmbt_core_flags INTERFACE BMBT_FREESTANDING=1)
endif()
# One generator expression per flag: a list inside a generator expression would be split apart.
set(BMBT_NO_CXX_RUNTIME
  "$<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions>" "$<$<COMPILE_LANGUAGE:CXX>:-fno-rtti>"
  "$<$<COMPILE_LANGUAGE:CXX>:-fno-threadsafe-statics>")
set(BMBT_CORE_COMPILE_OPTIONS ${BMBT_NO_CXX_RUNTIME} -Wall -Wextra -Wno-unused-parameter)
if(BMBT_FREESTANDING)
  list(APPEND BMBT_CORE_COMPILE_OPTIONS -ffreestanding "$<$<COMPILE_LANGUAGE:CXX>:-nostdinc++>")
endif()

# bmbt_core_library(NAME SOURCES...): a static library of the core with the shared flags.
function(bmbt_core_library name)
  add_library(${name} STATIC ${ARGN})
  target_link_libraries(${name} PUBLIC bmbt_core_flags)
  target_compile_options(${name} PRIVATE ${BMBT_CORE_COMPILE_OPTIONS})
endfunction()

# On bare metal there is no C++ runtime at all: every target (not only core libraries) is built
# without exceptions, RTTI and static-init guards.
if(BMBT_FREESTANDING)
  add_compile_options(${BMBT_NO_CXX_RUNTIME})
endif()
