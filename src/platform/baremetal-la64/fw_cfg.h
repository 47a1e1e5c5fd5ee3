// QEMU's fw_cfg device (MMIO at 0x1e020000 on the LoongArch virt board) through its DMA interface:
// named files such as `-fw_cfg name=opt/bmbt/kernel,file=...` and etc/memmap.
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

bool fw_cfg_present();
// Size and selector key of a named file; false if there is no such file.
bool fw_cfg_find(const char* name, u32* size, u16* key);
// Reads `size` bytes of item `key` to physical address `dest_pa`.
bool fw_cfg_read(u16 key, u64 dest_pa, u32 size);

}  // namespace bmbt::baremetal
