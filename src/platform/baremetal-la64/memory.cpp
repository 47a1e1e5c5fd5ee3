#include "memory.h"

#include "boot_info.h"

namespace bmbt::baremetal {

namespace {
MemRange g_free[64];
u32 g_free_count = 0;
}  // namespace

void memory_init() {
  g_free_count = 0;
  for (u32 i = 0; i < g_boot_info.ram_count && g_free_count < array_size(g_free); ++i) {
    // Whole pages only.
    u64 base = (g_boot_info.ram[i].base + kPageSize - 1) & ~(kPageSize - 1);
    if (base == 0) base = kPageSize;  // physical 0 would read as "no memory" (alloc_phys)
    u64 end = (g_boot_info.ram[i].base + g_boot_info.ram[i].size) & ~(kPageSize - 1);
    if (end > base) g_free[g_free_count++] = {base, end - base};
  }
}

u64 alloc_phys(u64 bytes, u64 align) {
  bytes = (bytes + kPageSize - 1) & ~(kPageSize - 1);
  if (align < kPageSize) align = kPageSize;
  for (u32 i = 0; i < g_free_count; ++i) {
    MemRange& r = g_free[i];
    u64 start = (r.base + align - 1) & ~(align - 1);
    u64 end = r.base + r.size;
    if (start < r.base || start + bytes > end || start + bytes < start) continue;
    // Alignment gaps are small (and only for the few aligned requests): they are given up.
    r.size = end - (start + bytes);
    r.base = start + bytes;
    return start;
  }
  return 0;
}

u64 free_bytes() {
  u64 n = 0;
  for (u32 i = 0; i < g_free_count; ++i) n += g_free[i].size;
  return n;
}

}  // namespace bmbt::baremetal
