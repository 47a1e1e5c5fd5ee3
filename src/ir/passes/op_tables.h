// Per-op facts the passes look up at compile time (their walks have one case per op), read from
// the op table itself.
#pragma once
#include "ir/ir.h"

namespace bmbt::ir {

inline constexpr Effect kOpEffect[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) Effect::effect,
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kOpEffect) / sizeof(kOpEffect[0]) == usize(Op::kCount), "op table");

// Operand count of every op but Call, whose count varies (the verifier holds the others to it).
inline constexpr u8 kOpArgCount[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) u8(args),
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kOpArgCount) / sizeof(kOpArgCount[0]) == usize(Op::kCount), "op table");

}  // namespace bmbt::ir
