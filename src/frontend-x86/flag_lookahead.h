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
// Zydis reports flags at their RFLAGS bit positions; ir::Flag numbers them 0..5. Inline: the
// flag plan and the look-ahead call it for every instruction they scan.
namespace detail {
// Each RFLAGS bit shifted down to its ir::FlagBit position (CF 0->0, PF 2->1, AF 4->2, ZF 6->3,
// SF 7->4, OF 11->5); the static_asserts pin both layouts.
constexpr u8 ir_flags_of(u32 m) {
  return u8((m & 1) | (m >> 1 & 2) | (m >> 2 & 4) | (m >> 3 & 8) | (m >> 3 & 16) | (m >> 6 & 32));
}
static_assert(ZYDIS_CPUFLAG_CF == 1u << 0 && ZYDIS_CPUFLAG_PF == 1u << 2 && ZYDIS_CPUFLAG_AF == 1u << 4 &&
              ZYDIS_CPUFLAG_ZF == 1u << 6 && ZYDIS_CPUFLAG_SF == 1u << 7 && ZYDIS_CPUFLAG_OF == 1u << 11,
              "Zydis flag bits");
static_assert(ir::kFlagCF == 1 && ir::kFlagPF == 2 && ir::kFlagAF == 4 && ir::kFlagZF == 8 && ir::kFlagSF == 16 &&
              ir::kFlagOF == 32, "ir::FlagBit");
// ir_flags_of for every value of the low 12 RFLAGS bits (those above hold no arithmetic flag):
// one look-up instead of six shifts and masks.
struct IrFlagsTable {
  u8 d[1 << 12];
};
constexpr IrFlagsTable ir_flags_table() {
  IrFlagsTable t{};
  for (u32 m = 0; m < (1u << 12); ++m) t.d[m] = ir_flags_of(m);
  return t;
}
inline constexpr IrFlagsTable kIrFlags = ir_flags_table();
}  // namespace detail

inline u8 to_ir_flags(ZydisAccessedFlagsMask m) { return detail::kIrFlags.d[m & 0xfff]; }

// ir::FlagBit mask of the flags in `wanted` (of CF PF AF ZF SF OF) that code at `pc` may read
// before writing. Asking only about the flags whose answer still matters lets the scan stop early.
// Answers are remembered in `dec` and reused while the code bytes they came from are unchanged.
u8 flags_read_before_written(const Decoder& dec, CodeSource& code, u64 pc, u8 wanted = ir::kArithFlags, int depth = 1);

// The union of the above at `first` and at `second` (a jcc's two successors); `second` is scanned
// only for flags `first` does not read.
u8 flags_read_on_either(const Decoder& dec, CodeSource& code, u64 first, u64 second);

// Union of the above over the block's successors (all six flags for indirect jumps and exits).
u8 live_out_flags(const Decoder& dec, CodeSource& code, const ir::Block& block);

}  // namespace bmbt::x86
