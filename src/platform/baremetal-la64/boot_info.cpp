#include "boot_info.h"

namespace bmbt::baremetal {

// In .data, not .bss: the UEFI path fills it and the copy of the image carries it (boot_info.h).
__attribute__((section(".data.boot_info"))) BootInfo g_boot_info = {BootPath::kDirectElf, 0, {}, {}, 0, 0, {}, 0, 0};

namespace {
bool same_name(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
}  // namespace

const BootFile* find_boot_file(const char* name) {
  for (u32 i = 0; i < g_boot_info.file_count; ++i)
    if (same_name(g_boot_info.files[i].name, name)) return &g_boot_info.files[i];
  return nullptr;
}

void add_ram_range(BootInfo& info, u64 base, u64 size) {
  if (!size) return;
  // Merge with a range that ends where this one starts (firmware maps list RAM in pieces).
  for (u32 i = 0; i < info.ram_count; ++i) {
    if (info.ram[i].base + info.ram[i].size == base) {
      info.ram[i].size += size;
      return;
    }
  }
  if (info.ram_count < array_size(info.ram)) info.ram[info.ram_count++] = {base, size};
}

void reserve_ram_range(BootInfo& info, u64 base, u64 size) {
  u64 end = base + size;
  for (u32 i = 0; i < info.ram_count; ++i) {
    MemRange& r = info.ram[i];
    u64 r_end = r.base + r.size;
    if (end <= r.base || base >= r_end) continue;
    if (base <= r.base && end >= r_end) {  // covers it all: drop the range
      info.ram[i] = info.ram[--info.ram_count];
      --i;
    } else if (base <= r.base) {
      r.size = r_end - end;
      r.base = end;
    } else if (end >= r_end) {
      r.size = base - r.base;
    } else {  // in the middle: split
      r.size = base - r.base;
      if (info.ram_count < array_size(info.ram)) info.ram[info.ram_count++] = {end, r_end - end};
    }
  }
}

}  // namespace bmbt::baremetal
