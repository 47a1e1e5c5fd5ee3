# Boots IMAGE with QEMU's LoongArch virt board and expects the banner, a working JIT code-cache
# allocation and a clean power-off (QEMU exits 0) within the timeout.
execute_process(
  COMMAND ${QEMU} -M virt -cpu la464 -m 1G -nographic -no-reboot -kernel ${IMAGE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
message("--- console:\n${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "QEMU ended with '${rc}' (a timeout means the image hung)")
endif()
if(NOT out MATCHES "BMBT bare-metal core link check")
  message(FATAL_ERROR "the banner did not appear")
endif()
if(out MATCHES "jit: ")
  message(FATAL_ERROR "the JIT could not initialise on bare metal")
endif()
