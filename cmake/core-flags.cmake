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
set(BMBT_CORE_COMPILE_OPTIONS
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>
  -Wall -Wextra -Wno-unused-parameter)
if(BMBT_FREESTANDING)
  list(APPEND BMBT_CORE_COMPILE_OPTIONS -ffreestanding $<$<COMPILE_LANGUAGE:CXX>:-nostdinc++>)
endif()

# bmbt_core_library(NAME SOURCES...): a static library of the core with the shared flags.
function(bmbt_core_library name)
  add_library(${name} STATIC ${ARGN})
  target_link_libraries(${name} PUBLIC bmbt_core_flags)
  target_compile_options(${name} PRIVATE ${BMBT_CORE_COMPILE_OPTIONS})
endfunction()
