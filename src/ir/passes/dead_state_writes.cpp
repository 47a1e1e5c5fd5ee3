#include "ir/flag_groups.h"
#include "ir/guest_state.h"
#include "ir/passes/passes.h"

namespace bmbt::ir {

namespace {
// What follows a point, per flag, walking backwards: a read (or an exit that reports state), a
// later write with nothing but possibly-faulting accesses in between, or a later write with
// nothing in between at all.
enum FlagFuture : u8 { kRead, kOverwrittenAfterFaultPoint, kOverwritten };
}  // namespace

// Walks backwards keeping, per flag and per register, whether a later write covers the
// current point with no intervening read or possible exit. A flag write covered except for
// possible faults becomes setf.onfault (software strategy: blocks without flag groups).
int remove_dead_state_writes(Block& b) {
  FlagFuture flag_future[kFlagCount];
  for (FlagFuture& f : flag_future) f = kRead;
  bool reg_overwritten[kGuestRegCount] = {};
  const bool fault_only_writes = !b.has_flag_groups;
  // Flags the code after the block does not read count as overwritten at its end, unless the
  // block leaves through an exit (the engine reports exact state there).
  if (b.term.kind != TermKind::kExit) {
    for (int f = 0; f < kDF; ++f) flag_future[f] = (b.live_out_flags & (1u << f)) ? kRead : kOverwritten;
  }
  bool keep[Block::kMaxInsts];
  int removed = 0;
  u8 group_reads = 0;
  for (int i = b.size() - 1; i >= 0; --i) {
    const Inst& in = b[i];
    keep[i] = true;
    switch (op_info(in.op).effect) {
      case Effect::kWritesState:
        if (in.op == Op::SetFlag || in.op == Op::SetFlagOnFault) {
          FlagFuture& f = flag_future[in.imm];
          if (f == kOverwritten) { keep[i] = false; ++removed; }
          else b[i].op = f == kOverwrittenAfterFaultPoint && fault_only_writes ? Op::SetFlagOnFault : Op::SetFlag;
          f = kOverwritten;
        } else {
          if (reg_overwritten[in.imm]) { keep[i] = false; ++removed; }
          reg_overwritten[in.imm] = true;
        }
        break;
      case Effect::kReadsState:
        if (in.op == Op::GetFlag) flag_future[in.imm] = kRead;
        else reg_overwritten[in.imm] = false;
        break;
      case Effect::kMarker:
        // A flag group reads the flags as they were before its instruction: the instruction's
        // own flag writes sit between its start and the group, so the reads take effect at the
        // start (walking backwards).
        if (in.op == Op::FlagGroup) group_reads |= flag_group_reads(b, in);
        if (in.op == Op::InsnStart) {
          for (int f = 0; f < kDF; ++f)
            if ((group_reads >> f) & 1) flag_future[f] = kRead;
          group_reads = 0;
        }
        break;
      case Effect::kReadsMemory:
      case Effect::kWritesMemory:
        // A possible fault: it must see exact state, but only a fault can observe it.
        for (FlagFuture& f : flag_future)
          if (f == kOverwritten) f = kOverwrittenAfterFaultPoint;
        for (bool& r : reg_overwritten) r = false;
        break;
      case Effect::kCall:
        for (FlagFuture& f : flag_future) f = kRead;
        for (bool& r : reg_overwritten) r = false;
        break;
      default: break;
    }
  }
  if (removed) b.compact(keep);
  return removed;
}

}  // namespace bmbt::ir
