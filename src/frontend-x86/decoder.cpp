#include "frontend-x86/decoder.h"

namespace bmbt::x86 {

Decoder::Decoder() {
  ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisFormatterInit(&formatter_, ZYDIS_FORMATTER_STYLE_INTEL);
  forget();
}

void Decoder::forget() const {
  for (Remembered& r : remembered_) r.valid = false;
}

const Decoder::Remembered* Decoder::recall(const u8* bytes, usize len, u64 pc) const {
  const Remembered& r = remembered_[pc & (kRemembered - 1)];
  if (!r.valid || r.pc != pc || len < r.insn.length) return nullptr;
  for (int i = 0; i < r.insn.length; ++i)
    if (r.bytes[i] != bytes[i]) return nullptr;
  return &r;
}

const Decoder::Remembered* Decoder::decode_and_remember(const u8* bytes, usize len, u64 pc) const {
  Remembered& r = remembered_[pc & (kRemembered - 1)];
  r.valid = false;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(&decoder_, &r.ctx, bytes, len, &r.insn))) return nullptr;
  for (int i = 0; i < r.insn.length; ++i) r.bytes[i] = bytes[i];
  r.pc = pc;
  r.valid = true;
  return &r;
}

bool Decoder::decode(const u8* bytes, usize len, u64 pc, DecodedInsn& out) const {
  out.pc = pc;
  if (len == 0) return false;
  const Remembered* r = recall(bytes, len, pc);
  if (!r) r = decode_and_remember(bytes, len, pc);
  if (!r) return false;
  // What ZydisDecoderDecodeFull does after the instruction half.
  out.insn = r->insn;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeOperands(&decoder_, &r->ctx, &out.insn, out.ops, out.insn.operand_count)))
    return false;
  __builtin_memset(&out.ops[out.insn.operand_count], 0,
                   (ZYDIS_MAX_OPERAND_COUNT - out.insn.operand_count) * sizeof(out.ops[0]));
  return true;
}

const ZydisDecodedInstruction* Decoder::decode_instruction(const u8* bytes, usize len, u64 pc) const {
  if (len == 0) return nullptr;
  const Remembered* r = recall(bytes, len, pc);
  if (!r) r = decode_and_remember(bytes, len, pc);
  return r ? &r->insn : nullptr;
}

void Decoder::format(const DecodedInsn& d, TextBuf& out) const {
  char text[160];
  if (ZYAN_SUCCESS(ZydisFormatterFormatInstruction(&formatter_, &d.insn, d.ops, d.insn.operand_count_visible,
                                                   text, sizeof(text), d.pc, nullptr))) {
    out.str(text);
  } else {
    out.str("(unformattable)");
  }
}

}  // namespace bmbt::x86
