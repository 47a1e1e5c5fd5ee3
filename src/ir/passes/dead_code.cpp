#include "ir/flag_groups.h"
#include "ir/guest_state.h"
#include "ir/passes/passes.h"

namespace bmbt::ir {

namespace {
// What follows a point, per flag, walking backwards: a read (or an exit that reports state), a
// later write with nothing but possibly-faulting accesses in between, or a later write with
// nothing in between at all.
enum FlagFuture : u8 { kRead, kOverwrittenAfterFaultPoint, kOverwritten };

constexpr Effect kEffect[] = {
#define IR_OP(name, text, args, result, imm, effect, flags) Effect::effect,
#include "ir/opcodes.inc"
#undef IR_OP
};
static_assert(sizeof(kEffect) / sizeof(kEffect[0]) == usize(Op::kCount), "op table");
}  // namespace

// One backward walk for both kinds of dead code, so that they feed each other: a state write
// no later read needs is dropped, which leaves its value (a flag formula) unused, which is then
// dropped when the walk reaches it; an unused read of guest state (the old flags a dead shift
// by cl would have kept) observes nothing, so it does not keep earlier writes alive either.
// Per flag and per register it tracks whether a later write covers the current point with no
// intervening read or possible exit. A flag write covered except for possible faults becomes
// setf.onfault (software strategy: blocks without flag groups).
DeadCodeStats remove_dead_code(Block& b) {
  DeadCodeStats stats;
  FlagFuture flag_future[kFlagCount];
  for (FlagFuture& f : flag_future) f = kRead;
  bool reg_overwritten[kGuestRegCount] = {};
  const bool fault_only_writes = !b.has_flag_groups;
  // Flags the code after the block does not read count as overwritten at its end, unless the
  // block leaves through an exit (the engine reports exact state there).
  if (b.term.kind != TermKind::kExit) {
    for (int f = 0; f < kDF; ++f) flag_future[f] = (b.live_out_flags & (1u << f)) ? kRead : kOverwritten;
  }
  // used[i]: a later instruction (or the terminator) needs value i; once the walk has passed i,
  // whether i stays.
  bool used[Block::kMaxInsts];
  for (int i = 0; i < b.size(); ++i) used[i] = false;
  if (b.term.cond != kNoValue) used[b.term.cond] = true;
  u8 group_reads = 0;
  for (int i = b.size() - 1; i >= 0; --i) {
    Inst& in = b[i];
    bool keep = true;
    switch (kEffect[usize(in.op)]) {
      case Effect::kPure:
        keep = used[i];
        break;
      case Effect::kReadsState:
        keep = used[i];  // an unused read observes nothing
        if (!keep) break;
        if (in.op == Op::GetFlag) flag_future[in.imm] = kRead;
        else reg_overwritten[in.imm] = false;
        break;
      case Effect::kWritesState:
        if (in.op == Op::SetFlag || in.op == Op::SetFlagOnFault) {
          FlagFuture& f = flag_future[in.imm];
          keep = f != kOverwritten;
          if (keep) in.op = f == kOverwrittenAfterFaultPoint && fault_only_writes ? Op::SetFlagOnFault : Op::SetFlag;
          f = kOverwritten;
        } else {
          keep = !reg_overwritten[in.imm];
          reg_overwritten[in.imm] = true;
        }
        if (!keep) ++stats.state_writes;
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
        // A possible fault: it must see exact state, but only a fault can observe it. (Loads
        // stay even if unused: the fault is observable.)
        for (FlagFuture& f : flag_future)
          if (f == kOverwritten) f = kOverwrittenAfterFaultPoint;
        for (bool& r : reg_overwritten) r = false;
        break;
      case Effect::kCall:
        for (FlagFuture& f : flag_future) f = kRead;
        for (bool& r : reg_overwritten) r = false;
        break;
    }
    used[i] = keep;
    if (!keep) { ++stats.removed; continue; }
    for (int a = 0; a < in.num_args; ++a) used[in.args[a]] = true;
  }
  if (stats.removed) b.compact(used);
  return stats;
}

}  // namespace bmbt::ir
