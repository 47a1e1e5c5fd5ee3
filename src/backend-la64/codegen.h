// Lowers one optimised IR block to LoongArch64 code. Flags: under the software strategy each x86
// flag is a byte of guest state, computed only where the IR still computes it after flag
// liveness; under the LBT strategy (CodegenTargets::lbt, blocks translated with flag groups)
// the six arithmetic flags live in the LBT eflags register (lbt_flags.h).
//
// Register use: see host_regs.h. IR values live in temporaries from a small pool; a value's
// register is released after its last use. A block whose values do not fit the pool is
// rejected (compile() returns kNoRegisters) and the engine translates a shorter block.
#pragma once
#include "backend-la64/assembler.h"
#include "ir/ir.h"
#include "support/text.h"

namespace bmbt::la64 {

// Addresses translated code needs (absolute host addresses).
struct CodegenTargets {
  u64 exit_stub;       // trampoline exit: a0 = engine::BlockExit
  u64 load_stub[4];    // shared soft-TLB miss paths by access size 1, 2, 4, 8 (see jit_backend.cpp)
  u64 store_stub[4];
  u64 helpers[8];      // by ir::HelperId
  bool count_insns;    // blocks subtract their instruction count from Vcpu::budget
  bool lbt;            // LBT flag strategy (eflags in the LBT register; the block holds flag groups)
};

enum class CodegenStatus : u8 { kOk, kNoRegisters, kBufferFull, kInternal };

struct CodegenResult {
  CodegenStatus status;
  usize words;
  usize inline_words;  // words before the out-of-line part (budget exit, soft-TLB miss paths)
  const char* error;   // for kInternal
};

// Generates code for `block` to run at host address `base`, writing at most `capacity` words.
CodegenResult generate(const ir::Block& block, const CodegenTargets& targets, u64 base, u32* out, usize capacity);

}  // namespace bmbt::la64
