# LoongArch64 bare metal: freestanding, no C or C++ library; lld links the image.
include(${CMAKE_CURRENT_LIST_DIR}/la64-common.cmake)
set(CMAKE_SYSTEM_NAME Generic)
set(triple loongarch64-unknown-elf)
set(CMAKE_C_COMPILER_TARGET ${triple})
set(CMAKE_CXX_COMPILER_TARGET ${triple})
set(CMAKE_ASM_COMPILER_TARGET ${triple})
# PIE: the image relocates itself (UEFI loads it anywhere). Frame pointers: the panic report walks them.
set(CMAKE_C_FLAGS_INIT "-ffreestanding -fPIE -mcmodel=normal -fno-omit-frame-pointer")
set(CMAKE_CXX_FLAGS_INIT "-ffreestanding -fPIE -nostdinc++ -fno-omit-frame-pointer")
set(CMAKE_ASM_FLAGS_INIT "-fPIE")
# clang has no bare-metal driver for LoongArch (it would call gcc to link): use ld.lld directly.
set(CMAKE_LINKER ld.lld-19)
set(CMAKE_CXX_LINK_EXECUTABLE "<CMAKE_LINKER> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_C_LINK_EXECUTABLE "<CMAKE_LINKER> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -nostdlib")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
