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
  usize words;          // code words
  usize inline_words;   // words before the out-of-line part (budget exit, soft-TLB miss paths)
  usize pc_map_words;   // the block's PC map, written right after the code (see pc_map_lookup)
  const char* error;    // for kInternal
};

// The PC map that follows a block's code: a count, then one word per region of code that
// belongs to one guest instruction (an instruction's inline code, or an out-of-line soft-TLB
// miss path), in code order: bits 15:0 the region's first code word, bits 31:16 the guest
// instruction's offset from the block's first guest PC. Maps any host PC inside the block back
// to its guest instruction (precise faults without a guest PC stored per access).
bool pc_map_lookup(const u32* code, usize code_words, u64 block_guest_pc, u64 host_pc, u64* guest_pc);

// Generates code for `block` to run at host address `base`, writing at most `capacity` words.
CodegenResult generate(const ir::Block& block, const CodegenTargets& targets, u64 base, u32* out, usize capacity);

}  // namespace bmbt::la64
