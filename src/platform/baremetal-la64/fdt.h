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
  u32 cpu_ids[8];     // physical ids (the cpu nodes' reg): IPI and EXTIOI routing address cores by them
  // 16550 UARTs in device-tree order (uarts[0].pa == uart_pa) with their interrupt routing:
  // UART -> PCH-PIC input -> EXTIOI vector -> CPU interrupt line; irq.valid only if the whole
  // chain was found.
  struct UartIrq {
    bool valid;
    u32 pch_pic_input;   // the UART's "interrupts" cell
    u64 pch_pic_pa;      // PCH-PIC registers (MMIO)
    u32 extioi_base;     // "loongson,pic-base-vec": EXTIOI vector of PCH-PIC input 0
    u32 cpu_line;        // the EXTIOI node's interrupt on the CPU controller = ESTAT.IS bit
  };
  struct Uart {
    u64 pa;
    UartIrq irq;
  };
  u32 uart_count;
  Uart uarts[4];
};

// The summary of the firmware's device tree (bmbt_kernel_main fills it once).
extern FdtSummary g_fdt;

bool fdt_summarize(u64 fdt_pa, FdtSummary* out);
void fdt_describe(const FdtSummary& s, TextBuf& line);

}  // namespace bmbt::baremetal
