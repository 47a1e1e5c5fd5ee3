// One virtual x86 CPU as translated code sees it. Translated code holds a pointer to a Vcpu in
// a fixed host register; CpuState sits at offset 0 and the soft TLB at kTlbOffset, so the
// layout is part of the code-generation ABI.
#pragma once
#include "devices/machine.h"
#include "ir/guest_state.h"
#include "ir/ir.h"
#include "softmmu/mmu.h"

namespace bmbt::engine {

// How a translated block hands control back to the engine.
enum class BlockExit : u32 {
  kNext = 0,       // continue at cpu.regs[kRIP]
  kExitReason = 1, // the block ended in an IR exit; reason in Vcpu::exit_reason, rip = its pc
  kMemFault = 2,   // a guest memory access faulted; Vcpu::fault, rip = the faulting instruction
};

struct Vcpu {
  CpuState cpu;
  // Written by translated code / helpers when leaving a block (kept before the TLB so that
  // translated code reaches them with 12-bit offsets).
  u32 exit_reason;
  u32 pad;
  softmmu::MemFault fault;
  softmmu::SoftTlb tlb;
  devices::Machine* machine;
  softmmu::Mmu* mmu;
};

constexpr u32 kTlbOffset = u32(__builtin_offsetof(Vcpu, tlb));
constexpr u32 kExitReasonOffset = u32(__builtin_offsetof(Vcpu, exit_reason));

}  // namespace bmbt::engine
