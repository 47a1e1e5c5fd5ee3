// LoongArch64 disassembler: prints a word the way `llvm-objdump-19 -d --no-show-raw-insn` does
// (same mnemonics, ABI register names, the aliases llvm prefers: nop, move, ret, jr), reading the
// same tables as the encoder.
#pragma once
#include "backend-la64/encoding.h"
#include "support/text.h"

namespace bmbt::la64 {

// Writes "mnemonic\toperands".  Branch offsets are printed as llvm does (byte offset relative to the
// instruction); llvm-objdump additionally appends " <symbol+off>", which needs an address and symbol
// table and is therefore left to the caller.  Unknown words print "<unknown>" and return false.
bool disassemble(u32 word, TextBuf& out);

// Register names as llvm prints them ($a0, $fa0, $fcc0, $vr0, $scr0, $fcsr0).
const char* register_name(OperandKind kind, u32 n);

}  // namespace bmbt::la64
