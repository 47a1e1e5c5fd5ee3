// The direct-ELF boot path (QEMU -kernel): command line from a1, device tree where QEMU puts it,
// memory from fw_cfg etc/memmap (else the device tree), named files from fw_cfg opt/bmbt/<name>.
#include "direct_boot.h"

#include "board.h"
#include "fdt.h"
#include "fw_cfg.h"
#include "memory.h"

extern "C" char __image_start[], __image_end[];

namespace bmbt::baremetal {

namespace {
// QEMU's direct boot keeps its boot ROM data (command line, EFI-like system table, device tree)
// in low RAM below the image, and the secondary-CPU boot code near the top of low RAM.
constexpr u64 kDirectBootLowReserve = 0x0f000000;
constexpr u64 kLowRamEnd = 0x10000000;
constexpr u32 kE820Ram = 1;

void append_cmdline(const char* text, usize len) {
  char* cl = g_boot_info.cmdline;
  usize at = 0;
  while (cl[at]) ++at;
  if (at && at + 1 < sizeof(g_boot_info.cmdline)) cl[at++] = ' ';
  for (usize i = 0; i < len && text[i] && at + 1 < sizeof(g_boot_info.cmdline); ++i)
    cl[at++] = (text[i] == '\n' || text[i] == '\r') ? ' ' : text[i];
  while (at && cl[at - 1] == ' ') --at;
  cl[at] = 0;
}

bool ram_from_fw_cfg() {
  u32 size = 0;
  u16 key = 0;
  struct Entry {
    u64 addr, len;
    u32 type, pad;
  };
  alignas(16) static Entry entries[32];
  if (!fw_cfg_find("etc/memmap", &size, &key) || !size) return false;
  if (size > sizeof(entries)) size = sizeof(entries);
  if (!fw_cfg_read(key, virt_to_phys(entries), size)) return false;
  for (u32 i = 0; i < size / sizeof(Entry); ++i) {
    if (entries[i].type != kE820Ram) continue;
    add_ram_range(g_boot_info, entries[i].addr, entries[i].len);
    g_boot_info.total_ram += entries[i].len;
  }
  return g_boot_info.ram_count != 0;
}

void ram_from_fdt() {
  FdtSummary s;
  if (!fdt_summarize(g_boot_info.fdt_pa, &s)) return;
  for (u32 i = 0; i < s.memory_count; ++i) {
    add_ram_range(g_boot_info, s.memory[i].base, s.memory[i].size);
    g_boot_info.total_ram += s.memory[i].size;
  }
}

void load_fw_cfg_file(const char* name) {
  char path[40] = "opt/bmbt/";
  usize n = 9;
  for (const char* p = name; *p && n + 1 < sizeof(path); ++p) path[n++] = *p;
  path[n] = 0;
  u32 size = 0;
  u16 key = 0;
  if (!fw_cfg_find(path, &size, &key) || g_boot_info.file_count >= array_size(g_boot_info.files)) return;
  u64 pa = alloc_phys(size + 1);
  if (!pa || !fw_cfg_read(key, pa, size)) return;
  static_cast<u8*>(phys_to_virt(pa))[size] = 0;
  BootFile& f = g_boot_info.files[g_boot_info.file_count++];
  usize k = 0;
  for (; name[k] && k + 1 < sizeof(f.name); ++k) f.name[k] = name[k];
  f.name[k] = 0;
  f.pa = pa;
  f.size = size;
}
}  // namespace

void direct_boot_collect(u64 a0, u64 cmdline_pa, u64 systab_pa) {
  (void)systab_pa;
  g_boot_info.path = BootPath::kDirectElf;
  // QEMU passes a0 = 1 with a1 = the command line's physical address, which is 0 on the virt board.
  if (a0 == 1 && cmdline_pa < kLowRamEnd) {
    const char* cl = static_cast<const char*>(phys_to_virt(cmdline_pa));
    append_cmdline(cl, 511);
  }
  if (__builtin_bswap32(*static_cast<const u32*>(phys_to_virt(kDirectBootFdtPa))) == 0xd00dfeed)
    g_boot_info.fdt_pa = kDirectBootFdtPa;
  bool have_fw_cfg = fw_cfg_present();
  if (!have_fw_cfg || !ram_from_fw_cfg()) ram_from_fdt();
  u64 image_end = virt_to_phys(__image_end);
  reserve_ram_range(g_boot_info, 0, image_end);
  reserve_ram_range(g_boot_info, kDirectBootLowReserve, kLowRamEnd - kDirectBootLowReserve);
}

void direct_boot_load_files() {
  if (!fw_cfg_present()) return;
  // "corpus": the x86-diff test vectors of bmbt.replay (replay.cpp).
  static const char* const kNames[] = {"cmdline", "kernel", "initrd", "corpus"};
  for (const char* name : kNames) load_fw_cfg_file(name);
  if (const BootFile* cl = find_boot_file("cmdline"))
    append_cmdline(static_cast<const char*>(phys_to_virt(cl->pa)), cl->size);
}

}  // namespace bmbt::baremetal
