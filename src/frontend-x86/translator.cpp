#include "frontend-x86/translator.h"

#include "frontend-x86/context.h"

namespace bmbt::x86 {

// The longest IR expansion of any one guest instruction stays far below this; the block is
// ended before an instruction could run out of room.
static constexpr int kIrReservePerInsn = 256;

// Precise state rule: every memory access of a guest instruction happens before any of its
// guest-state writes (flag groups included), so a faulting access leaves the state of the previous instruction. Handlers
// may emit sets anywhere (Ctx forwards written values to later reads of the same instruction);
// this moves the instruction's SetReg/SetFlag ops, in order, behind everything else it emitted.
// A set followed by a helper call cannot move (the helper reads the state): handlers put calls
// first, and this reports an internal error if one does not.
static bool sink_state_writes(ir::Block& block, int first) {
  const int n = block.size();
  // A flag group moves with the flag writes it stands for.
  auto is_set = [](ir::Op op) { return op == ir::Op::SetReg || op == ir::Op::SetFlag || op == ir::Op::FlagGroup; };
  int first_set = -1;
  bool needs_move = false;
  for (int i = first; i < n; ++i) {
    ir::Op op = block[i].op;
    if (is_set(op)) { if (first_set < 0) first_set = i; continue; }
    if (first_set >= 0) {
      if (op == ir::Op::Call) return false;
      needs_move = true;
    }
  }
  if (!needs_move) return true;
  if (n - first > kIrReservePerInsn) return false;
  ir::Inst moved[kIrReservePerInsn];
  ir::Value remap[kIrReservePerInsn];
  int out = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int i = first; i < n; ++i) {
      if (is_set(block[i].op) != (pass == 1)) continue;
      ir::Inst in = block[i];
      for (int a = 0; a < in.num_args; ++a)
        if (in.args[a] >= first) in.args[a] = remap[in.args[a] - first];
      remap[i - first] = ir::Value(first + out);
      moved[out++] = in;
    }
  }
  for (int k = 0; k < out; ++k) block[first + k] = moved[k];
  if (block.term.cond != ir::kNoValue && block.term.cond >= first) block.term.cond = remap[block.term.cond - first];
  return true;
}

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
    Ctx ctx{b, d, next, limits.flag_groups};
    Handler h = handler_for(d.insn.mnemonic);
    Emit result = h ? h(ctx) : Emit::kUnsupported;
    if (result == Emit::kUnsupported) {
      block.truncate(mark);
      b.insn_start(pc);
      b.exit(ir::ExitReason::kUndefined, pc);
      return !b.overflowed();
    }
    if (!sink_state_writes(block, mark)) return false;  // a handler broke the rule: internal error
    block.guest_insns++;
    block.guest_bytes += d.insn.length;
    pc = next;
    if (result == Emit::kEndsBlock) return !b.overflowed();
  }
}

}  // namespace bmbt::x86
