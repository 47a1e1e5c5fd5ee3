// Reading the firmware's device tree with libfdt (the loong64 libfdt.a, linked freestanding).
#pragma once
#include "boot_info.h"
#include "support/text.h"

namespace bmbt::baremetal {

struct FdtSummary {
  bool valid;
  u32 memory_count;
  MemRange memory[8];
  u64 uart_pa;        // first ns16550a, 0 if none
  u32 irqchip_count;
  const char* irqchips[8];  // compatible strings of interrupt controllers
  u64 pci_ecam_pa, pci_ecam_size;
  u32 cpu_count;
};

bool fdt_summarize(u64 fdt_pa, FdtSummary* out);
void fdt_describe(const FdtSummary& s, TextBuf& line);

}  // namespace bmbt::baremetal
