// Reference semantics of the pure IR operations: one function used by the interpreter and by
// constant folding, so the two can never disagree.
#pragma once
#include "ir/ir.h"

namespace bmbt::ir {

enum class HelperId : u16 {
#define IR_HELPER(id, name, args, result) id,
#include "ir/helpers.inc"
#undef IR_HELPER
  kCount
};
const char* helper_name(u16 id);

// Evaluates a pure op on zero-extended operands; `result` is the instruction's result type
// and `arg_type` the type of its first operand. Returns the zero-extended result.
u64 eval_pure(Op op, Type result, Type arg_type, u64 a, u64 b, u64 c);

}  // namespace bmbt::ir
