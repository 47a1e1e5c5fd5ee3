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

// The JIT's indirect-branch cache: guest PC -> host code of its block, looked up inline by
// translated code for ret and indirect jumps/calls (a miss goes back to the engine).
struct JumpCacheEntry {
  u64 guest_pc;
  u64 host_code;
};
constexpr int kJumpCacheBits = 12;
constexpr int kJumpCacheEntries = 1 << kJumpCacheBits;

// Return-address prediction (JIT): a call pushes the return address it wrote to the guest
// stack and the host address of the code that continues there; a ret whose target equals the
// top entry pops it and jumps there directly. A ring: overflow forgets the oldest entries, a
// mismatch falls back to the jump cache. Entries are only hints, always checked.
struct ReturnPrediction {
  u64 guest_pc;
  u64 host_code;
};
constexpr int kReturnPredictions = 16;

struct Vcpu {
  CpuState cpu;
  // Written by translated code / helpers when leaving a block (kept before the TLB so that
  // translated code reaches them with 12-bit offsets).
  u32 exit_reason;
  u32 pad;
  softmmu::MemFault fault;
  // Guest instructions the vCPU may still run before translated code must return to the
  // engine: every block checks it on entry (and subtracts its size when counting). The
  // engine sets it below zero to request an exit.
  i64 budget;
  // Host address of the patchable direct-exit slot the last block left through (0: none).
  u64 chain_slot;
  JumpCacheEntry* jump_cache;
  u32 ras_top;    // byte offset of the top entry in `ras` (a multiple of 16)
  u32 ras_epoch;  // the JIT code-cache generation the entries point into (stale ones are reset)
  ReturnPrediction ras[kReturnPredictions];
  softmmu::SoftTlb tlb;
  devices::Machine* machine;
  softmmu::Mmu* mmu;
  // Set by the JIT's soft-TLB miss path on a fault: the host PC inside translated code that
  // made the access. The JIT maps it back to the guest instruction (per-block PC maps) and
  // sets RIP before the engine sees the fault.
  u64 fault_host_pc;
};

// How a block really ended: a helper may end it early — a memory fault it recorded (rep
// string) or a pending exception (#DE, #GP: RIP at the instruction, nothing committed). The
// interpreter reports those as kNext, the JIT as the exit; this gives both the same meaning
// and clears the pending mark.
inline BlockExit settle_exit(Vcpu& v, BlockExit e) {
  if (e == BlockExit::kNext && v.fault.faulted) e = BlockExit::kMemFault;
  if (e == BlockExit::kNext && (v.exit_reason & ir::kExitPending)) e = BlockExit::kExitReason;
  v.exit_reason &= ~ir::kExitPending;
  return e;
}

constexpr u32 kTlbOffset = u32(__builtin_offsetof(Vcpu, tlb));
constexpr u32 kExitReasonOffset = u32(__builtin_offsetof(Vcpu, exit_reason));
constexpr u32 kBudgetOffset = u32(__builtin_offsetof(Vcpu, budget));
constexpr u32 kChainSlotOffset = u32(__builtin_offsetof(Vcpu, chain_slot));
constexpr u32 kJumpCachePtrOffset = u32(__builtin_offsetof(Vcpu, jump_cache));
constexpr u32 kRasTopOffset = u32(__builtin_offsetof(Vcpu, ras_top));
constexpr u32 kRasOffset = u32(__builtin_offsetof(Vcpu, ras));

}  // namespace bmbt::engine
