// Thin wrapper over Zydis: 64-bit decoding and Intel-syntax formatting (for traces).
#pragma once
#include <Zydis/Zydis.h>

#include "support/text.h"
#include "support/types.h"

namespace bmbt::x86 {

struct DecodedInsn {
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  u64 pc;
};

class Decoder {
 public:
  Decoder();
  // Decodes the instruction at `pc` from `bytes` (`len` bytes available). False if the bytes do
  // not form a valid instruction (or are cut short).
  bool decode(const u8* bytes, usize len, u64 pc, DecodedInsn& out) const;
  // Intel syntax with absolute branch targets, e.g. "call 0x100040".
  void format(const DecodedInsn& d, TextBuf& out) const;

 private:
  ZydisDecoder decoder_;
  ZydisFormatter formatter_;
};

}  // namespace bmbt::x86
