// Exceptions and interrupts after take-over: vectors (traps.S), the panic report, interrupt lines.
#pragma once
#include "csr.h"
#include "support/types.h"

namespace bmbt::baremetal {

struct TrapFrame {
  u64 r[32];  // r3 is the interrupted sp
  u64 era, prmd, estat, badv, badi;
  u64 kind;   // 0: exception or interrupt, 1: TLB refill with no mapping
};
static_assert(sizeof(TrapFrame) == TF_SIZE);

// Interrupt lines of ESTAT.IS / ECFG.LIE.
enum IrqLine : u32 { kIrqSwi0 = 0, kIrqSwi1 = 1, kIrqHwi0 = 2, kIrqTimer = 11, kIrqIpi = 12 };
using IrqHandler = void (*)(TrapFrame&);

// Installs EENTRY, TLBRENTRY and the trap stack. Interrupts stay masked until lines are enabled.
void traps_init();
// Handles `line` with `handler` and unmasks it in ECFG.LIE (CRMD.IE is separate).
void irq_enable(IrqLine line, IrqHandler handler);
void irq_disable(IrqLine line);

// Bounds of the current normal stack, for backtraces and for naming a stack overflow.
void traps_set_stack(u64 bottom, u64 top, u64 guard_bottom);

// Prints the report for `f` and powers the machine off.
[[noreturn]] void panic_report(const TrapFrame& f, const char* reason);

const char* ecode_name(u32 ecode, u32 subcode);

}  // namespace bmbt::baremetal
