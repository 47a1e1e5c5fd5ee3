#include "ir/flag_groups.h"
#include "ir/guest_state.h"
#include "ir/passes/passes.h"

namespace bmbt::ir {

// Walks backwards keeping, per flag and per register, whether a later write covers the
// current point with no intervening read or possible exit.
int remove_dead_state_writes(Block& b) {
  bool flag_overwritten[kFlagCount] = {};
  bool reg_overwritten[kGuestRegCount] = {};
  // Flags the code after the block does not read count as overwritten at its end, unless the
  // block leaves through an exit (the engine reports exact state there).
  if (b.term.kind != TermKind::kExit) {
    for (int f = 0; f < kDF; ++f) flag_overwritten[f] = !(b.live_out_flags & (1u << f));
  }
  bool keep[Block::kMaxInsts];
  int removed = 0;
  u8 group_reads = 0;
  for (int i = b.size() - 1; i >= 0; --i) {
    const Inst& in = b[i];
    keep[i] = true;
    switch (op_info(in.op).effect) {
      case Effect::kWritesState:
        if (in.op == Op::SetFlag) {
          if (flag_overwritten[in.imm]) { keep[i] = false; ++removed; }
          flag_overwritten[in.imm] = true;
        } else {
          if (reg_overwritten[in.imm]) { keep[i] = false; ++removed; }
          reg_overwritten[in.imm] = true;
        }
        break;
      case Effect::kReadsState:
        if (in.op == Op::GetFlag) flag_overwritten[in.imm] = false;
        else reg_overwritten[in.imm] = false;
        break;
      case Effect::kMarker:
        // A flag group reads the flags as they were before its instruction: the instruction's
        // own flag writes sit between its start and the group, so the reads take effect at the
        // start (walking backwards).
        if (in.op == Op::FlagGroup) group_reads |= flag_group_reads(b, in);
        if (in.op == Op::InsnStart) {
          for (int f = 0; f < kDF; ++f)
            if ((group_reads >> f) & 1) flag_overwritten[f] = false;
          group_reads = 0;
        }
        break;
      case Effect::kReadsMemory:
      case Effect::kWritesMemory:
      case Effect::kCall:
        for (bool& f : flag_overwritten) f = false;
        for (bool& r : reg_overwritten) r = false;
        break;
      default: break;
    }
  }
  if (removed) b.compact(keep);
  return removed;
}

}  // namespace bmbt::ir
