#include "frontend-x86/translator.h"

#include "frontend-x86/context.h"

namespace bmbt::x86 {

// The longest IR expansion of any one guest instruction stays far below this; the block is
// ended before an instruction could run out of room.
static constexpr int kIrReservePerInsn = 256;

bool translate_block(const Decoder& dec, CodeSource& code, u64 pc, ir::Block& block,
                     const TranslateLimits& limits, InsnObserver* observer) {
  block.reset(pc);
  ir::Builder b(block);
  const u64 first_page = pc / limits.page_size;
  for (;;) {
    if (block.guest_insns >= u32(limits.max_insns) || block.full(kIrReservePerInsn) ||
        (block.guest_insns > 0 && pc / limits.page_size != first_page)) {
      b.jump(pc);
      return !b.overflowed();
    }
    u8 bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
    int avail = code.fetch(pc, bytes, ZYDIS_MAX_INSTRUCTION_LENGTH);
    if (avail <= 0) {
      b.exit(ir::ExitReason::kFetchFault, pc);
      return !b.overflowed();
    }
    DecodedInsn d;
    if (!dec.decode(bytes, usize(avail), pc, d)) {
      b.exit(ir::ExitReason::kDecodeError, pc);
      return !b.overflowed();
    }
    if (observer) observer->on_insn(d, bytes);
    const u64 next = pc + d.insn.length;
    const int mark = block.size();
    b.insn_start(pc);
    Ctx ctx{b, d, next};
    Handler h = handler_for(d.insn.mnemonic);
    Emit result = h ? h(ctx) : Emit::kUnsupported;
    if (result == Emit::kUnsupported) {
      block.truncate(mark);
      b.insn_start(pc);
      b.exit(ir::ExitReason::kUndefined, pc);
      return !b.overflowed();
    }
    block.guest_insns++;
    block.guest_bytes += d.insn.length;
    pc = next;
    if (result == Emit::kEndsBlock) return !b.overflowed();
  }
}

}  // namespace bmbt::x86
