// What the boot path (UEFI or direct ELF) found out, in physical addresses: command line, named
// files, device tree, free memory. The UEFI path fills it before ExitBootServices; it lives in
// .data so that it travels with the image copy the UEFI path starts (efi_boot.cpp).
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

struct BootFile {
  char name[16];  // "kernel", "initrd", "cmdline" ...
  u64 pa;
  u64 size;
};

struct MemRange {
  u64 base;
  u64 size;
};

enum class BootPath : u32 { kDirectElf = 1, kUefi = 2 };

struct BootInfo {
  BootPath path;
  u32 file_count;
  BootFile files[8];
  char cmdline[512];
  u64 fdt_pa;          // 0 if none
  u32 ram_count;       // free RAM ranges (already without firmware, image and loaded files)
  MemRange ram[64];
  u64 total_ram;       // all RAM the firmware reported, for the banner
  u32 efi_map_entries; // UEFI only: descriptors in the final memory map
};

extern BootInfo g_boot_info;

// a3 value with which the UEFI path enters _start after ExitBootServices.
constexpr u64 kUefiHandoffMagic = 0x49464555544d424dull;  // "MBMTUEFI"

const BootFile* find_boot_file(const char* name);
void add_ram_range(BootInfo& info, u64 base, u64 size);
// Removes [base, base+size) from the free ranges.
void reserve_ram_range(BootInfo& info, u64 base, u64 size);

}  // namespace bmbt::baremetal
