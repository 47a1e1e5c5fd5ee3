// The -d trace categories (named like QEMU's): what to print per translated/executed block.
#pragma once
#include "support/text.h"

namespace bmbt::engine {

enum TraceFlag : u32 {
  kTraceInAsm = 1 << 0,   // x86 disassembly of each translated block
  kTraceIr = 1 << 1,      // IR as produced by the frontend
  kTraceIrOpt = 1 << 2,   // IR after the passes
  kTraceOutAsm = 1 << 3,  // LoongArch code of each block (also on the x86 host, from the code generator)
  kTraceExec = 1 << 4,    // every block execution
  kTraceStats = 1 << 5,   // statistics at exit
};

// Parses "in_asm,ir,out_asm"; "help" lists the categories into `err` and fails.
bool parse_trace_flags(const char* list, u32* flags, TextBuf& err);

}  // namespace bmbt::engine
