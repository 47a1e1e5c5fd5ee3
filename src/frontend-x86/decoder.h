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
  // The instruction alone, without operands (what the flag look-ahead needs); nullptr if the bytes
  // do not form a valid instruction. The result stays valid until the next call on this Decoder.
  const ZydisDecodedInstruction* decode_instruction(const u8* bytes, usize len, u64 pc) const;
  // Intel syntax with absolute branch targets, e.g. "call 0x100040".
  void format(const DecodedInsn& d, TextBuf& out) const;
  // Drops the remembered decodes (measurements that translate the same code repeatedly call it so
  // that every round pays for its decoding like a first translation).
  void forget() const;

 private:
  // The instruction half of a decode (ZydisDecoderDecodeInstruction, about two thirds of the
  // work) remembered per address: the flag look-ahead decodes the first instructions of the
  // blocks a block continues to, and those are usually translated next. An entry is used only if
  // the bytes are still the same, so rewritten code is decoded afresh; Zydis's result depends on
  // nothing but the instruction's bytes and the machine mode. Not thread-safe: one Decoder per vCPU.
  struct Remembered {
    u64 pc;
    u8 bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
    bool valid;
    ZydisDecoderContext ctx;
    ZydisDecodedInstruction insn;
  };
  static constexpr usize kRemembered = 256;  // a power of two
  // The entry for `pc` if it holds the instruction `bytes` begin with, else nullptr.
  const Remembered* recall(const u8* bytes, usize len, u64 pc) const;
  // Decodes the instruction half into the entry for `pc`; nullptr if the bytes are not valid.
  const Remembered* decode_and_remember(const u8* bytes, usize len, u64 pc) const;

  ZydisDecoder decoder_;
  ZydisFormatter formatter_;
  mutable Remembered remembered_[kRemembered];
};

}  // namespace bmbt::x86
