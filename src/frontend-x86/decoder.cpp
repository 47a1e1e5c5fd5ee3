#include "frontend-x86/decoder.h"

namespace bmbt::x86 {

Decoder::Decoder() {
  ZydisDecoderInit(&decoder_, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  ZydisFormatterInit(&formatter_, ZYDIS_FORMATTER_STYLE_INTEL);
}

bool Decoder::decode(const u8* bytes, usize len, u64 pc, DecodedInsn& out) const {
  out.pc = pc;
  return ZYAN_SUCCESS(ZydisDecoderDecodeFull(&decoder_, bytes, len, &out.insn, out.ops));
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
