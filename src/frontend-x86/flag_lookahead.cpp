#include "frontend-x86/flag_lookahead.h"

namespace bmbt::x86 {

namespace {

using ir::kArithFlags;
// Look-ahead budget: most blocks overwrite all flags within a few instructions; every decoded
// instruction here is translation time, so the scan stays short.
constexpr int kMaxScan = 12;

}  // namespace

bool relative_target(const ZydisDecodedInstruction& insn, u64 next, u64* target) {
  if (!(insn.attributes & ZYDIS_ATTRIB_IS_RELATIVE) || insn.raw.imm[0].size == 0) return false;
  *target = next + u64(insn.raw.imm[0].value.s);
  return true;
}

u8 flags_read_before_written(const Decoder& dec, CodeSource& code, u64 pc, u8 wanted, int depth) {
  // Flags outside `wanted` count as settled from the start: the scan ends as soon as every flag
  // the caller still asks about is known, and the result keeps only those.
  u8 live = 0, killed = u8(kArithFlags & ~wanted);
  for (int n = 0; n < kMaxScan; ++n) {
    u8 bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
    int avail = code.fetch(pc, bytes, ZYDIS_MAX_INSTRUCTION_LENGTH);
    // Flags and branch targets need no operand decoding. The decoder remembers the instruction
    // half, which the translation of these blocks (usually next) then reuses. `insn` lives in
    // the decoder's memory: it is read before the recursive calls below, never after.
    const ZydisDecodedInstruction* decoded = avail > 0 ? dec.decode_instruction(bytes, usize(avail), pc) : nullptr;
    if (!decoded) return u8(live | (kArithFlags & ~killed));
    const ZydisDecodedInstruction& insn = *decoded;
    const ZydisAccessedFlags* f = insn.cpu_flags;
    if (f) {
      live |= u8(to_ir_flags(f->tested) & ~killed);
      // Only flags the instruction defines count as written: where the SDM says "undefined",
      // BMBT may leave the old value, so it must still be correct.
      killed |= to_ir_flags(f->modified | f->set_0 | f->set_1);
    }
    if ((killed | live) == kArithFlags) return live;
    const u64 next = pc + insn.length;
    u64 target = 0;
    const bool relative = relative_target(insn, next, &target);
    switch (insn.meta.category) {
      case ZYDIS_CATEGORY_UNCOND_BR:
      case ZYDIS_CATEGORY_CALL:  // a direct call continues in the callee
        if (!relative) return u8(live | (kArithFlags & ~killed));
        pc = target;
        continue;
      case ZYDIS_CATEGORY_COND_BR: {
        if (!relative || depth <= 0) return u8(live | (kArithFlags & ~killed));
        // Only flags neither read nor written yet depend on the branches, and the second branch
        // only matters for those the first does not read.
        const u8 open = u8(kArithFlags & ~(killed | live));
        const u8 first = flags_read_before_written(dec, code, next, open, depth - 1);
        const u8 second = first == open ? 0 : flags_read_before_written(dec, code, target, u8(open & ~first), depth - 1);
        return u8(live | first | second);
      }
      case ZYDIS_CATEGORY_RET: case ZYDIS_CATEGORY_INTERRUPT:
      case ZYDIS_CATEGORY_SYSCALL: case ZYDIS_CATEGORY_SYSRET: case ZYDIS_CATEGORY_SYSTEM:
        // Unknown continuation (or one that may inspect RFLAGS): everything not yet written is live.
        return u8(live | (kArithFlags & ~killed));
      default:
        pc = next;
        break;
    }
  }
  return u8(live | (kArithFlags & ~killed));
}

u8 flags_read_on_either(const Decoder& dec, CodeSource& code, u64 first, u64 second) {
  const u8 live = flags_read_before_written(dec, code, first);
  return live == kArithFlags ? live : u8(live | flags_read_before_written(dec, code, second, u8(kArithFlags & ~live)));
}

u8 live_out_flags(const Decoder& dec, CodeSource& code, const ir::Block& block) {
  if (block.live_out_flags_known) return block.live_out_flags;
  const ir::Terminator& t = block.term;
  switch (t.kind) {
    case ir::TermKind::kJump: return flags_read_before_written(dec, code, t.target);
    case ir::TermKind::kBranch: return flags_read_on_either(dec, code, t.target, t.fallthrough);
    default: return kArithFlags;
  }
}

}  // namespace bmbt::x86
