// The bare-metal kernel after take-over (both boot paths arrive here through _start): traps,
// memory, TLB and a guarded stack, then the work the command line asks for, normally running the
// guest named "kernel" with BMBT's engine and the LoongArch JIT.
//
// Command-line words (QEMU -append, fw_cfg opt/bmbt/cmdline, UEFI load options or \bmbt\cmdline):
//   bmbt.accel=jit|interp   executor (default jit)
//   bmbt.mem=<MiB>          guest RAM (default 128)
//   bmbt.selftest           timer, TLB and allocator checks before the guest
//   bmbt.fault=<kind>       inject a fault: illegal, badaddr, irq, stack (faults.cpp)
//   bmbt.nosmp              leave the secondary cores parked in the firmware's / QEMU's boot code
//   bmbt.uart-rx=<n>        receive n bytes through the UART interrupt and report them (uart_rx_echo.cpp)
//   bmbt.uart-rx-port=<i>   ... on the i-th 16550 of the device tree (default 0, the console)
//   bmbt.replay             replay the x86-diff corpus of the boot file "corpus" through the JIT
//                           instead of running a guest (replay.cpp)
#include "boot_info.h"
#include "console.h"
#include "direct_boot.h"
#include "fdt.h"
#include "kernel.h"
#include "memory.h"
#include "power.h"
#include "smp.h"
#include "support/log.h"
#include "tlb.h"
#include "trap.h"

extern "C" [[noreturn]] void bmbt_switch_stack(void* arg, void (*fn)(void*), bmbt::u64 new_sp);

namespace bmbt::baremetal {

namespace {
// BMBT's stack: TLB-mapped at a fixed virtual address, with nothing mapped below it, so running
// off its end faults (refill with no mapping) instead of corrupting memory.
constexpr u64 kStackTop = 0x0000001000000000ull;
constexpr u32 kStackPageShift = tlb::kPs64K;
constexpr u64 kStackPairBytes = u64(2) << kStackPageShift;
constexpr u32 kStackPairs = 4;  // 512 KiB
constexpr u64 kStackBytes = kStackPairs * kStackPairBytes;

u32 parse_u32(const char* s) {
  u32 v = 0;
  for (; *s >= '0' && *s <= '9'; ++s) v = v * 10 + u32(*s - '0');
  return v;
}

[[noreturn]] void main_on_stack(void*) {
  CommandLine cl(g_boot_info.cmdline);
  if (const char* kind = cl.value("bmbt.fault")) inject_fault(kind);
  if (cl.has("bmbt.selftest")) run_selftests();
  if (const char* n = cl.value("bmbt.uart-rx")) {
    u32 count = parse_u32(n);
    const char* port = cl.value("bmbt.uart-rx-port");
    run_uart_rx_echo(count, port ? parse_u32(port) : 0);
  }
  if (cl.has("bmbt.replay")) run_replay();
  run_guest(cl);
}

void setup_stack() {
  u64 pa = alloc_phys(kStackBytes, kStackPairBytes);
  if (!pa) {
    LogLine().str("bmbt: no memory for the stack");
    power_off();
  }
  u64 bottom = kStackTop - kStackBytes;
  for (u32 i = 0; i < kStackPairs; ++i) {
    u64 off = i * kStackPairBytes;
    tlb::map_pinned(i, bottom + off, kStackPageShift, pa + off, pa + off + (kStackPairBytes / 2), 0,
                    tlb::kReadWrite | tlb::kGlobal);
  }
  traps_set_stack(bottom, kStackTop, bottom - kStackPairBytes);
}
}  // namespace

extern "C" [[noreturn]] void bmbt_kernel_main(u64 a0, u64 a1, u64 a2, u64 a3, u64 bad_relocations) {
  bool from_uefi = a3 == kUefiHandoffMagic;
  if (!from_uefi) direct_boot_collect(a0, a1, a2);
  traps_init();
  if (!from_uefi) LogLine().str("bmbt: boot arguments a0=").hex0x(a0).str(" a1=").hex0x(a1).str(" a2=").hex0x(a2);
  LogLine().str("bmbt: BMBT bare metal, ").str(from_uefi ? "booted from UEFI" : "direct ELF boot")
      .str(", cmdline \"").str(g_boot_info.cmdline).str("\"");
  if (bad_relocations) {
    LogLine().str("bmbt: the image has ").udec(bad_relocations).str(" relocations of an unexpected type");
    power_off();
  }
  memory_init();
  if (!from_uefi) direct_boot_load_files();
  if (fdt_summarize(g_boot_info.fdt_pa, &g_fdt)) {
    LogLine line;
    line.str("bmbt: ");
    fdt_describe(g_fdt, line);
  } else {
    LogLine().str("bmbt: no device tree");
  }
  {
    LogLine line;
    line.str("bmbt: memory: ").udec(g_boot_info.total_ram >> 20).str(" MiB, free ").udec(free_bytes() >> 20)
        .str(" MiB in ").udec(g_boot_info.ram_count).str(" ranges; files:");
    for (u32 i = 0; i < g_boot_info.file_count; ++i)
      line.str(" ").str(g_boot_info.files[i].name).str("=").udec(g_boot_info.files[i].size);
  }
  if (!CommandLine(g_boot_info.cmdline).has("bmbt.nosmp"))
    smp_init(g_fdt.cpu_ids, g_fdt.cpu_count < array_size(g_fdt.cpu_ids) ? g_fdt.cpu_count : array_size(g_fdt.cpu_ids));
  tlb::init();
  setup_stack();
  bmbt_switch_stack(nullptr, main_on_stack, kStackTop);
}

[[noreturn]] void stack_smashed() {
  console_puts("*** BMBT PANIC: stack protector: a stack buffer overflowed");
  power_off();
}

}  // namespace bmbt::baremetal

extern "C" [[noreturn]] void bmbt_stack_smashed() { bmbt::baremetal::stack_smashed(); }
extern "C" [[noreturn]] void bmbt_pure_virtual_called() {
  bmbt::baremetal::console_puts("*** BMBT PANIC: pure virtual function called");
  bmbt::baremetal::power_off();
}
