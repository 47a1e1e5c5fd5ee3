# LoongArch64 Linux (glibc) with the sysroot scripts/setup unpacks from Debian's loong64 packages.
# Executables are linked statically so that qemu-loongarch64 runs them without -L.
include(${CMAKE_CURRENT_LIST_DIR}/la64-common.cmake)
set(CMAKE_SYSTEM_NAME Linux)
set(triple loongarch64-linux-gnu)
set(CMAKE_C_COMPILER_TARGET ${triple})
set(CMAKE_CXX_COMPILER_TARGET ${triple})
set(CMAKE_ASM_COMPILER_TARGET ${triple})
set(CMAKE_SYSROOT "${BMBT_TOOLCHAIN_CACHE}/loong64-sysroot")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld -static")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-loongarch64)
