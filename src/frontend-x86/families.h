// Declarations of every instruction-family handler named in mnemonics.inc.
#pragma once
#include "frontend-x86/context.h"

namespace bmbt::x86 {
#define X86_INSN(mnemonic, handler) Emit handler(Ctx&);
#include "frontend-x86/mnemonics.inc"
#undef X86_INSN
}  // namespace bmbt::x86
