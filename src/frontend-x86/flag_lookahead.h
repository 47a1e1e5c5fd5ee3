// Inter-block flag liveness by look-ahead: decode the code a block continues to and find
// which arithmetic flags it may read before writing them. Flags no successor reads are dead at
// the block end, so the block need not compute them (the biggest single saving of the
// software flag strategy).
//
// Caveat (docs/decisions.md): if the next block faults before overwriting a dead flag, the
// exception frame holds its stale value; the interrupted code never reads it.
#pragma once
#include "frontend-x86/translator.h"

namespace bmbt::x86 {

// Target of a jmp/jcc/call rel (`next`: the address after it), from the raw immediate.
bool relative_target(const ZydisDecodedInstruction& insn, u64 next, u64* target);
// Zydis reports flags at their RFLAGS bit positions; ir::Flag numbers them 0..5.
u8 to_ir_flags(ZydisAccessedFlagsMask m);

// ir::FlagBit mask of CF PF AF ZF SF OF that code at `pc` may read before writing.
u8 flags_read_before_written(const Decoder& dec, CodeSource& code, u64 pc, int depth = 1);

// Union of the above over the block's successors (all six flags for indirect jumps and exits).
u8 live_out_flags(const Decoder& dec, CodeSource& code, const ir::Block& block);

}  // namespace bmbt::x86
