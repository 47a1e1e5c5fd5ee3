// Device interrupts on the virt board / LS7A: device -> PCH-PIC input -> EXTIOI vector -> one CPU
// interrupt line (ESTAT.IS 2..9). The device tree names all three (fdt.h: FdtSummary::UartIrq).
#pragma once
#include "support/types.h"

namespace bmbt::baremetal {

using DeviceIrqHandler = void (*)(u32 pch_pic_input);

// Takes over both controllers: every EXTIOI vector and PCH-PIC input disabled, all EXTIOI vectors
// signalled on `cpu_line`, whose handler dispatches to the routed inputs.
void irqchip_init(u64 pch_pic_pa, u32 extioi_base, u32 cpu_line);
bool irqchip_ready();
// Level-triggered, active-high input of PCH-PIC routed to this core and unmasked at both levels.
void irqchip_route(u32 pch_pic_input, DeviceIrqHandler handler);
void irqchip_mask(u32 pch_pic_input);
u64 irqchip_dispatched();  // device interrupts handled so far

}  // namespace bmbt::baremetal
