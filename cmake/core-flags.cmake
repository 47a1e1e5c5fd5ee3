# Flags shared by every library of the core (everything under src/ except platform/linux-*).
# The core must build freestanding: no exceptions, no RTTI, no thread-safe static guards
# (they need a C++ runtime), and on bare metal no standard headers beyond the compiler's own.
add_library(bmbt_core_flags INTERFACE)
target_include_directories(bmbt_core_flags INTERFACE ${CMAKE_SOURCE_DIR}/src)
target_compile_options(bmbt_core_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>
  -Wall -Wextra -Wno-unused-parameter)
if(BMBT_FREESTANDING)
  target_compile_options(bmbt_core_flags INTERFACE -ffreestanding $<$<COMPILE_LANGUAGE:CXX>:-nostdinc++>)
  target_compile_definitions(bmbt_core_flags INTERFACE BMBT_FREESTANDING=1)
endif()

# bmbt_core_library(NAME SOURCES...): a static library of the core with the shared flags.
function(bmbt_core_library name)
  add_library(${name} STATIC ${ARGN})
  target_link_libraries(${name} PUBLIC bmbt_core_flags)
endfunction()
