// Reads the IR text form that printer.cpp writes (one instruction per line, `insn` markers,
// a `-> ...` terminator line), so golden tests and bug reports can state blocks as text.
// Value names (`v12`) are only labels: they are renumbered in order of definition.
#pragma once
#include "ir/ir.h"
#include "support/text.h"

namespace bmbt::ir {
// Parses `text` (NUL-terminated) into `block` (reset to guest_pc 0). False with a message
// naming the line on any syntax or typing problem.
bool parse_block(const char* text, Block& block, TextBuf& error);
}  // namespace bmbt::ir
