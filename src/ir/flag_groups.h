// Flag groups: "the x86 flags in this mask are now exactly what x86 instruction K would set
// for operands a and b". The frontend emits one (IR op `flags`) after the per-flag formulas of
// an instruction whose flag behaviour matches a LoongArch LBT flag instruction (x86add.w,
// x86sll.d, ...), but only when the LBT flag strategy is selected. The software strategy never
// sees one; under LBT the per-flag formulas still serve readers inside the block (compare
// fusion), and fuse_flag_groups() at the end of the pipeline replaces the state writes that
// survived flag liveness by the group, which the backend lowers to one LBT instruction.
#pragma once
#include "ir/ir.h"

namespace bmbt::ir {

enum class FlagGroupKind : u8 {
  kAdd, kSub, kAdc, kSbb, kAnd, kOr, kXor, kInc, kDec,
  kShl, kShr, kSar, kRol, kRor, kRcl, kRcr, kMulS, kMulU,
  kCount
};
const char* flag_group_name(FlagGroupKind k);

// The immediate of a `flags` op: the kind in bits 7:0, the FlagBit mask of flags it writes in
// bits 15:8. Operand 0 is the destination operand's value (its type gives the width); operand
// 1 the source, or the masked count (i64) for shifts and rotates (unused for inc/dec).
constexpr u64 pack_flag_group(FlagGroupKind k, u8 mask) { return u64(k) | u64(mask) << 8; }
constexpr FlagGroupKind flag_group_kind(u64 imm) { return FlagGroupKind(imm & 0xff); }
constexpr u8 flag_group_mask(u64 imm) { return u8(imm >> 8); }

constexpr bool flag_group_is_shift(FlagGroupKind k) { return k >= FlagGroupKind::kShl && k <= FlagGroupKind::kRcr; }

// Flags whose old value the group's result may depend on (FlagBit mask): CF for the carry
// forms, and every flag it writes for a shift or rotate whose count may be 0 (x86 then changes
// nothing). Flag liveness keeps the writes that feed them. `b` is the block holding `in`.
u8 flag_group_reads(const Block& b, const Inst& in);

// Under the LBT strategy, the last pass: each group takes over the flag writes of its own
// instruction that survived (its mask becomes exactly those flags) and a group none survived
// is removed. The removed instructions are only marked (`drop[i]` for every i of the block):
// remove_dead_values(b, drop) takes them out together with the formulas they leave unused, in
// one compaction. Returns the number of state writes replaced.
int fuse_flag_groups(Block& b, bool* drop);

}  // namespace bmbt::ir
