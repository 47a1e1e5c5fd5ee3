// Boot information for the direct-ELF path (see direct_boot.cpp).
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

// Fills g_boot_info from the boot arguments, the device tree and fw_cfg (memory only).
void direct_boot_collect(u64 a0, u64 cmdline_pa, u64 systab_pa);
// Loads the fw_cfg files opt/bmbt/{cmdline,kernel,initrd}; needs the page allocator.
void direct_boot_load_files();

}  // namespace bmbt::baremetal
