// Structural checks on a Block: operands defined before use, operand and result types agree
// with the opcode table, terminator well-formed. Used after the frontend and after every pass
// in debug runs and tests.
#pragma once
#include "ir/ir.h"
#include "support/text.h"

namespace bmbt::ir {
// Returns true when the block is well-formed; otherwise writes the first problem to `error`.
bool verify(const Block& b, TextBuf& error);
}  // namespace bmbt::ir
