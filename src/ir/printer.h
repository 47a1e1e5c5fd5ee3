// Text form of the IR, used by `-d ir` and golden tests:
//   v3:i32 = add v1, v2
//   setf zf, v5
//   -> branch v9 ? 0x401020 : 0x401008
#pragma once
#include "ir/ir.h"
#include "support/text.h"

namespace bmbt::ir {
const char* segment_name(u8 seg);  // es cs ss ds fs gs
void print_inst(const Block& b, int index, TextBuf& out);
void print_terminator(const Block& b, TextBuf& out);
// Calls line(text) once per line (no trailing newline), so any sink (console, file) can be used.
void print_block(const Block& b, void (*line)(void* ctx, const char* text), void* ctx);
}  // namespace bmbt::ir
